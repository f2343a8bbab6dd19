"""dasr_mm: DASR unsupervised real-world super-resolution as an mmagic plugin.

``install_requires`` states the supported ranges only; the exact, tested set of
versions lives in requirements/ and is installed by tools/setup_env.sh. torch is
required as ``torch>=2.0`` so an existing torch (CPU or CUDA) always satisfies it
and pip never pulls a different build onto a machine that has one.
"""
from setuptools import find_packages, setup

setup(
    name='dasr_mm',
    version='0.1.0',
    description='DASR (domain-distance aware unsupervised real-world image '
    'super-resolution) for OpenMMLab mmagic',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['dasr_mm', 'dasr_mm.*']),
    python_requires='>=3.9',
    install_requires=[
        'torch>=2.0',
        'mmengine>=0.10,<1',
        'mmcv>=2.0,<2.2',
        'mmagic>=1.1,<1.3',
        'numpy<2',
        'opencv-python-headless',
        'tqdm',
    ],
    extras_require={
        'demo': ['scikit-image', 'scikit-learn'],
        'tests': ['pytest'],
    },
    license='Apache-2.0',
)
