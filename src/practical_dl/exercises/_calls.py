"""Which torch functions a reader's code calls, for the checks that care how, not only what.

Introduced in chapter 1, "Getting started".
"""

from __future__ import annotations

from torch.overrides import TorchFunctionMode


class TorchCalls(TorchFunctionMode):
    """Record the name of every torch function and tensor method called inside it.

    Used as ``with TorchCalls() as calls: ...``; the names are in ``calls.names``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.names.append(getattr(func, "__name__", ""))
        return func(*args, **(kwargs or {}))
