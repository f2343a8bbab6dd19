"""The demo's photographs: a catalogue of photos shipped inside
scikit-image, scikit-learn and matplotlib (offline, with their credits) and
:data:`DEMO_LAYOUT`, the one statement of which photo goes to which split
and how it is tiled."""
from typing import Dict

import numpy as np

from dasr_mm.utils.io import read_rgb
from .split_plan import Source, SplitPlan

# key -> (origin, credit). motorcycle_right is left out: same scene as _left.
DEMO_PHOTOS = {
    'astronaut': ('skimage.data.astronaut()',
                  'Eileen Collins, NASA Great Images; public domain'),
    'coffee': ('skimage.data.coffee()',
               'Rachel Michetti / Pikolo Espresso Bar; CC0'),
    'chelsea': ('skimage.data.chelsea()', 'Stefan van der Walt; CC0'),
    'rocket': ('skimage.data.rocket()',
               'SpaceX, DSCOVR launch; public domain'),
    'immunohistochemistry': (
        'skimage.data.immunohistochemistry()',
        'Immunohistochemical staining of colonic glands, Wikimedia '
        'Commons; public domain'),
    'motorcycle_left': ('skimage.data.stereo_motorcycle()[0]',
                        'Middlebury 2014 stereo benchmark (Scharstein et '
                        'al.), left view as shipped with scikit-image'),
    'china': ("sklearn.datasets.load_sample_image('china.jpg')",
              'danielbuechele on Flickr; CC BY 2.0'),
    'flower': ("sklearn.datasets.load_sample_image('flower.jpg')",
               'vultilion on Flickr; CC BY 2.0'),
    'grace_hopper': ("matplotlib sample_data 'grace_hopper.jpg'",
                     'Grace Hopper, US Navy photograph; public domain'),
}
# split -> (whole photos, disjoint between splits; tile size in HR px, a
# multiple of 4; most detailed tiles kept per photo). The SR network learns
# colour only from hr/: with two or three photos a small network learnt the
# colour bias of their scenes (measured: the green of the val flower's leaves
# came out -14 levels, its blue +9, with hr = astronaut/coffee/rocket), so
# hr/ takes five photos with skin, sky, foliage, wood and saturated
# red/blue; the target domain only needs texture for its degradation.
DEMO_LAYOUT = {
    'hr': (('astronaut', 'coffee', 'rocket', 'china', 'grace_hopper'), 160,
           8),
    'real_lr': (('motorcycle_left', 'immunohistochemistry'), 192, 8),
    'val': (('chelsea', 'flower'), 128, 6),
}


def load_demo_photo(key: str) -> np.ndarray:
    """The catalogued photo ``key`` as (H, W, 3) RGB uint8."""
    if key in ('china', 'flower'):
        from sklearn.datasets import load_sample_image
        return load_sample_image(f'{key}.jpg')
    if key == 'grace_hopper':
        from matplotlib import cbook
        return read_rgb(
            cbook.get_sample_data('grace_hopper.jpg', asfileobj=False))
    from skimage import data
    if key == 'motorcycle_left':
        return data.stereo_motorcycle()[0]
    return getattr(data, key)()


def demo_plans() -> Dict[str, SplitPlan]:
    """One :class:`SplitPlan` per split, as :data:`DEMO_LAYOUT` says."""
    return {
        split: SplitPlan(
            sources=tuple(
                Source(key, DEMO_PHOTOS[key][0],
                       lambda key=key: load_demo_photo(key),
                       DEMO_PHOTOS[key][1]) for key in keys),
            tile=tile,
            max_tiles=max_tiles)
        for split, (keys, tile, max_tiles) in DEMO_LAYOUT.items()
    }
