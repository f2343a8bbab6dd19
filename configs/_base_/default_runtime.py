# Runtime shared by every dasr_mm config (mmagic's default runtime, plus our
# registrations and atomic checkpoint writes).
default_scope = 'mmagic'
custom_imports = dict(imports=['dasr_mm'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        interval=5000,
        by_epoch=False,
        max_keep_ckpts=3,
        # temp file + rename: a run killed while saving keeps its last
        # complete checkpoint (dasr_mm.utils.AtomicLocalBackend)
        backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # a NaN/Inf loss stops the run after saving a checkpoint to --resume
    # from (docs/bad_input.md, "A loss becomes NaN"); --resume then uses the
    # config's lr, e.g. a lower one given with --cfg-options
    non_finite_loss=dict(type='NonFiniteLossHook'),
    resumed_lr=dict(type='ResumedLearningRateHook'),
    # multi-process runs save generator.* (not generator.module.*), so that
    # checkpoints load in one process and in several
    unwrapped_checkpoint_keys=dict(type='UnwrappedCheckpointKeysHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=1),
    dist_cfg=dict(backend='nccl'),
)
randomness = dict(seed=0)

log_level = 'INFO'
log_processor = dict(type='LogProcessor', window_size=100, by_epoch=False)

load_from = None
resume = False

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='ConcatImageVisualizer',
    vis_backends=vis_backends,
    fn_key='gt_path',
    img_keys=['gt_img', 'input', 'pred_img'],
    bgr2rgb=True)
