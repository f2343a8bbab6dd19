# Table 1, row "HR input + GBFS": adversarial loss on x - GaussianBlur(x)
# (FSSR's high-frequency space) instead of the wavelet sub-bands.
_base_ = ['../dsn_aim.py']

extractor = dict(mode='gaussian', kernel_size=5, sigma=1.0)
model = dict(discriminator=dict(extractor=dict(extractor, _delete_=True)))
