from .image_checks import (DatasetValidationError, check_image_folder,
                           check_paired_folders)
from .domain_distance_triplet_dataset import DomainDistanceTripletDataset
from .paired_image_folder_dataset import PairedImageFolderDataset
from .photo_folder_dataset import PhotoFolderDataset
from .transforms import (LoadDomainDistanceMap, MatlabBicubicDownsample,
                         TripletRandomCrop)
from .unpaired_sr_image_dataset import UnpairedSRImageDataset

__all__ = [
    'DatasetValidationError', 'check_image_folder', 'check_paired_folders',
    'DomainDistanceTripletDataset', 'LoadDomainDistanceMap',
    'MatlabBicubicDownsample', 'PairedImageFolderDataset',
    'PhotoFolderDataset', 'TripletRandomCrop', 'UnpairedSRImageDataset'
]
