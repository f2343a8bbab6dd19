from .load_domain_distance_map import LoadDomainDistanceMap
from .matlab_bicubic_downsample import MatlabBicubicDownsample
from .triplet_random_crop import TripletRandomCrop

__all__ = [
    'LoadDomainDistanceMap', 'MatlabBicubicDownsample', 'TripletRandomCrop'
]
