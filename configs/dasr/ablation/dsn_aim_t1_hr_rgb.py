# Table 1, row "HR input + RGB": adversarial loss on the raw RGB LR image.
_base_ = ['../dsn_aim.py']

model = dict(discriminator=dict(extractor=dict(_delete_=True, mode='rgb')))
