"""Locate and read torchvision weight files without ever downloading them.

Used by the perceptual loss (VGG-19, ``vgg19-dcbb9e9d.pth``) and meant for the
LPIPS metric (AlexNet, ``alexnet-owt-7be5be79.pth``).
"""
import os
from typing import Dict, Optional

import torch


def resolve_torchvision_weights(pretrained: Optional[str],
                                filename: str) -> Optional[str]:
    """Return the path of a torchvision weight file, or None.

    Args:
        pretrained: ``'torchvision'`` to look for ``filename`` in torchvision's
            cache ``<torch.hub.get_dir()>/checkpoints`` (honours
            ``TORCH_HOME``), a path to a local state-dict file, or None for
            random weights.
        filename: the torchvision file name, e.g. ``'vgg19-dcbb9e9d.pth'``.

    Returns:
        The existing file path, or None when ``pretrained`` is None.

    Raises:
        FileNotFoundError: if the file does not exist. Nothing is downloaded;
            the message says where the file was looked for and how to
            provide it.
    """
    if pretrained is None:
        return None
    if pretrained == 'torchvision':
        cache_dir = os.path.join(torch.hub.get_dir(), 'checkpoints')
        path = os.path.join(cache_dir, filename)
        where = (f"torchvision's cache ({path}). Copy torchvision's "
                 f'{filename} into {cache_dir} (the directory follows '
                 'TORCH_HOME), or')
    else:
        path = os.path.expanduser(pretrained)
        where = f'{path}. Check the path, or'
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'Pretrained weights {filename} not found: looked for {where} '
            "set pretrained='/path/to/file.pth' in the config, or "
            'pretrained=None to use random weights (only meaningful for '
            'tests and smoke runs). Weights are never downloaded.')
    return path


def load_state_dict_file(path: str) -> Dict[str, torch.Tensor]:
    """Read a state dict saved with ``torch.save`` onto the CPU.

    Accepts a plain state dict (torchvision's files) or a checkpoint dict
    holding it under ``'state_dict'``.
    """
    state = torch.load(path, map_location='cpu', weights_only=True)
    if 'state_dict' in state:
        state = state['state_dict']
    return state
