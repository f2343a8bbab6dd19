# Stage 2 on RealSR (V3, Canon, x4); see srn_aim.py.
_base_ = ['./srn_aim.py']

data_root = 'data/realsr_canon'
export_dir = 'work_dirs/dsn_realsr/export'
train_dataloader = dict(
    dataset=dict(data_root=data_root, export_dir=export_dir))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
