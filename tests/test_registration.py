"""`import dasr_mm` registers every module of ours into mmagic's registries,
under names that are not mmagic's own."""
import pytest

import dasr_mm  # noqa: F401
from mmagic import registry

EXPECTED = {
    'MODELS': [
        'DownSamplingNetwork', 'DomainPatchDiscriminator',
        'HighFrequencyExtractor', 'RRDBNetNoUpsample', 'DomainWeightedL1Loss',
        'DomainWeightedPerceptualLoss', 'LocalVGGPerceptualLoss',
        'DownSamplingGAN',
        'DomainDistanceAwareSR', 'DASRDataPreprocessor',
        'BicubicInputGenerator', 'HighPassDiscriminator',
        'LowFrequencyL1Loss', 'LPIPSLoss'
    ],
    'DATASETS': [
        'UnpairedSRImageDataset', 'DomainDistanceTripletDataset',
        'PairedImageFolderDataset', 'PhotoFolderDataset'
    ],
    'TRANSFORMS':
    ['LoadDomainDistanceMap', 'TripletRandomCrop', 'MatlabBicubicDownsample'],
    'HOOKS': ['DomainDistanceMapExportHook', 'MetricsRecorder',
              'NonFiniteLossHook', 'ResumedLearningRateHook',
              'UnwrappedCheckpointKeysHook', 'RunReportHook'],
    'LOOPS': ['DASRTwoStageTrainLoop'],
    'METRICS': ['LPIPS', 'NoReferenceNIQE'],
}


@pytest.mark.parametrize('registry_name,names', sorted(EXPECTED.items()))
def test_our_modules_are_registered_in_mmagic(registry_name, names):
    reg = getattr(registry, registry_name)
    for name in names:
        cls = reg.module_dict.get(name)
        assert cls is not None, f'{name} missing from mmagic {registry_name}'
        assert cls.__module__.startswith('dasr_mm.'), (
            f'{registry_name}.{name} is {cls.__module__}: a name clash')


def test_every_registered_dasr_module_is_listed():
    ours = {
        (reg_name, name)
        for reg_name in ('MODELS', 'DATASETS', 'TRANSFORMS', 'HOOKS', 'LOOPS',
                         'METRICS')
        for name, cls in getattr(registry, reg_name).module_dict.items()
        if cls.__module__.startswith('dasr_mm.')
    }
    listed = {(r, n) for r, names in EXPECTED.items() for n in names}
    assert ours == listed
