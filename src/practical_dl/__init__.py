"""Practical Deep Learning with PyTorch: the small helper package behind the site.

Each helper's docstring names the chapter that introduces it.
"""

from practical_dl.device import available_devices, get_device, model_device
from practical_dl.seed import deterministic, seed_everything

__all__ = ["available_devices", "deterministic", "get_device", "model_device", "seed_everything"]
__version__ = "0.1.0"
