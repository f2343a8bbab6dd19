# The optimisation both DASR stages share: one Adam per network (generator /
# discriminator), learning rate halved at the stage config's milestones,
# mmagic's multi-loop validation, and per-network DDP wrapping for GAN
# training on several GPUs. Stage configs set `lr` and the milestones.
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999))),
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999))))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=False, milestones=[], gamma=0.5)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
