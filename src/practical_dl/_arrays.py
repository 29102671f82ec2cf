"""One way to turn tensors, arrays and lists into NumPy arrays, with one dtype rule.

Plotting and scikit-learn need NumPy arrays; learners pass tensors (on any
device, with or without gradients), arrays or plain lists. Every helper converts
with :func:`to_numpy`, so they all treat dtypes the same way:

**The dtype rule.** The dtype is kept: a ``float32`` tensor becomes a ``float32``
array, an ``int64`` tensor an ``int64`` array, a list of Python floats a
``float64`` array (NumPy's own choice). The one exception is ``bfloat16``, which
NumPy has no type for: it becomes ``float32``, which holds every ``bfloat16``
value exactly. A caller that needs a given dtype passes ``dtype=`` and gets a
converted array.

This module is private; helper modules import it as
``from practical_dl._arrays import to_numpy``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from practical_dl import _checks as check

__all__ = ["to_numpy"]


def _tensor_to_numpy(name: str, tensor: torch.Tensor) -> np.ndarray:
    if tensor.device.type == "meta":
        raise check.bad(name, "hold values to convert to NumPy", got="a tensor on the meta device")
    tensor = tensor.detach().cpu()  # no gradient tracking, and NumPy lives in CPU memory
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.float()  # NumPy has no bfloat16; float32 holds every value exactly
    return tensor.numpy()


def to_numpy(
    values: Any, *, dtype: npt.DTypeLike | None = None, name: str = "values"
) -> np.ndarray:
    """Convert a tensor, an array, a number or a (nested) list to a NumPy array.

    Tensors are detached from autograd and copied to the CPU first, so a
    tensor that requires grad or lives on a GPU converts without ceremony.
    A list or tuple of tensors (such as losses appended without ``.item()``)
    is converted element by element.

    Args:
        values: What to convert.
        dtype: Convert to this NumPy dtype; ``None`` keeps the dtype (see the
            module's dtype rule: only ``bfloat16`` becomes ``float32``).
        name: The argument's name, for error messages.

    Returns:
        A NumPy array. It may share memory with a CPU tensor or array passed in:
        copy it before changing it in place.

    Raises:
        ValueError: If a tensor is on the ``meta`` device (it holds no values).
    """
    if isinstance(values, torch.Tensor):
        array = _tensor_to_numpy(name, values)
    elif isinstance(values, list | tuple) and any(isinstance(v, torch.Tensor) for v in values):
        array = np.asarray([to_numpy(v, name=name) for v in values])
    else:
        array = np.asarray(values)
    return array if dtype is None else array.astype(dtype, copy=False)
