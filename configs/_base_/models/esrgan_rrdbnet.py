# ESRGAN's SR network (RRDBNet: 23 RRDB blocks, 64 channels, growth 32), the
# SRN of the paper (stage 2) and the generator of the P.T./S.T. ESRGAN
# baselines; configs add upscale_factor=scale.
rrdbnet = dict(
    type='RRDBNet',
    in_channels=3,
    out_channels=3,
    mid_channels=64,
    num_blocks=23,
    growth_channels=32)
