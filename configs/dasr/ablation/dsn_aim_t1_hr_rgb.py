# Table 1, row "HR input + RGB": adversarial loss on the raw RGB LR image.
_base_ = ['../dsn_aim.py']

extractor = dict(mode='rgb')
model = dict(discriminator=dict(extractor=dict(extractor, _delete_=True)))
