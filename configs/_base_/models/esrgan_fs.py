# The two pieces FSSR's ESRGAN-FS adds to ESRGAN (Fritsche et al., ICCVW
# 2019; esrgan-fs/codes/models/SRGAN_model.py with use_filters=True and
# filters.py): the discriminator sees only the high pass H(x) = x - box9(x)
# of the SR output and of the HR image, and the pixel loss compares only
# the low passes box9(x) (so H and this loss split each image exactly).
# Configs put them into mmagic's ESRGAN editor:
#   model=dict(discriminator=dict(esrgan_fs_discriminator, _delete_=True),
#              pixel_loss=dict(esrgan_fs_pixel_loss, _delete_=True))
esrgan_fs_filter = dict(mode='box', kernel_size=9)
esrgan_fs_discriminator = dict(
    type='HighPassDiscriminator',
    extractor=esrgan_fs_filter,
    net=dict(type='ModifiedVGG', in_channels=3, mid_channels=64))
esrgan_fs_pixel_loss = dict(
    type='LowFrequencyL1Loss', loss_weight=1e-2, low_pass=esrgan_fs_filter)
