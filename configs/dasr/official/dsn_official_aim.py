# Stage 1 with the authors' released DSN architecture (their De_resnet:
# conv+PReLU, 8 conv-PReLU-conv blocks, strided-conv down-sampling, sigmoid),
# the target of tools/convert_official_ckpt.py for their DSN checkpoints.
# Everything else (data, losses, schedule, export) as dsn_aim.py.
_base_ = '../dsn_aim.py'

model = dict(
    generator=dict(mid_channels=64, num_blocks=8, variant='official'))
