# Stage 1 with the authors' released DSN architecture (their De_resnet:
# conv+PReLU, 8 conv-PReLU-conv blocks, strided-conv down-sampling, sigmoid)
# and their FSD discriminator (codes/DSN/model.py: the filter, then convs
# 5x5 (-> 64), 5x5 (-> 128, InstanceNorm), 5x5 (-> 256, InstanceNorm), 1x1;
# LeakyReLU(0.2); receptive field 13x13 on the filter output), the target of
# tools/convert_official_ckpt.py for their DSN checkpoints.
# Their filter: the wavelet of their README's training command
# (--filter wavelet --cat_or_sum cat). A release trained with
# --filter avg_pool (their auto_reproduce_*.sh) or gau needs
# model.discriminator.extractor=dict(mode='box', kernel_size=5,
# variant='official') (or mode='gaussian'); the converter names it.
# Everything else (data, losses, schedule, export) as dsn_aim.py.
_base_ = '../dsn_aim.py'

extractor = dict(mode='wavelet', variant='official')
model = dict(
    generator=dict(mid_channels=64, num_blocks=8, variant='official'),
    discriminator=dict(
        extractor=extractor,
        mid_channels=64,
        kernel_sizes=(5, 5, 5, 1)))
