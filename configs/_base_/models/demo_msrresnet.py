# The demo's SR network (stage 2 and the P.T. ESRGAN baseline at demo scale):
# mmagic's MSRResNet, 32 channels, 4 residual blocks, pixel-shuffle
# up-sampling plus a global bilinear up-sampling skip; configs/dasr/
# srn_demo.py says why it replaces the paper's RRDBNet there. Configs add
# upscale_factor=scale.
demo_msrresnet = dict(
    type='MSRResNet',
    in_channels=3,
    out_channels=3,
    mid_channels=32,
    num_blocks=4)
