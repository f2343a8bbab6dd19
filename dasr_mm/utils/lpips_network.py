"""The LPIPS v0.1 AlexNet network (Zhang et al., CVPR 2018), built from
local files only: shared by the LPIPS metric and the LPIPS loss."""
import os.path as osp
import re
import warnings
from typing import Optional

import lpips
import torch

from .pretrained_weights import load_state_dict_file

ALEXNET_WEIGHTS_FILE = 'alexnet-owt-7be5be79.pth'
LPIPS_HEADS_FILE = osp.join(
    osp.dirname(lpips.__file__), 'weights', 'v0.1', 'alex.pth')


def build_lpips_alex(alexnet_path: Optional[str],
                     random_seed: Optional[int] = None) -> lpips.LPIPS:
    """The LPIPS v0.1 network with AlexNet features, in eval mode, frozen.

    Args:
        alexnet_path: torchvision's ImageNet AlexNet state dict
            (``alexnet-owt-7be5be79.pth``; keys ``features.<i>.*``, other keys
            ignored), or None for a random AlexNet.
        random_seed: with ``alexnet_path=None``, the seed of the random
            trunk (the global RNG is left as it was), so two networks built
            with one seed are equal; None draws from the global RNG.

    The linear heads are always the calibrated ones shipped in the ``lpips``
    package (``lpips/weights/v0.1/alex.pth``). Nothing is downloaded.
    """
    if alexnet_path is None and random_seed is not None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(random_seed)
            return build_lpips_alex(None)
    # pnet_rand=True: lpips would otherwise ask torchvision to download
    # AlexNet; pretrained=False: the heads are loaded below, strictly.
    with warnings.catch_warnings():  # lpips passes torchvision's
        warnings.simplefilter('ignore', UserWarning)  # deprecated kwarg
        net = lpips.LPIPS(
            net='alex', version='0.1', pretrained=False, pnet_rand=True,
            verbose=False)
    heads = load_state_dict_file(LPIPS_HEADS_FILE)
    expected = {  # lin0..lin4 (``lins`` is a second view of them)
        key for key in net.state_dict() if re.match(r'lin\d', key)
    }
    if set(heads) != expected:
        raise RuntimeError(f'{LPIPS_HEADS_FILE} does not hold the LPIPS '
                           f'v0.1 AlexNet heads {sorted(expected)}: it has '
                           f'{sorted(heads)}')
    net.load_state_dict(heads, strict=False)
    if alexnet_path is not None:
        features = {
            key[len('features.'):]: value
            for key, value in load_state_dict_file(alexnet_path).items()
            if key.startswith('features.')
        }
        # lpips keeps torchvision's features[i] as slice<k>.<i>
        trunk = {
            name: features.get(name.split('.', 1)[1])
            for name in net.net.state_dict()
        }
        absent = [name for name, value in trunk.items() if value is None]
        if absent:
            raise RuntimeError(
                f'{alexnet_path} is not a torchvision AlexNet state dict: '
                f'no features.{absent[0].split(".", 1)[1]} (and '
                f'{len(absent) - 1} more of the trunk)')
        net.net.load_state_dict(trunk)
    net.requires_grad_(False)
    return net.eval()
