"""A clean start for every page: fresh RNG seeds, temp folder, Agg backend, torch defaults.

Whatever a page changes (working folder, environment variables, torch's default
dtype or grad mode, matplotlib settings, warning filters) is put back when it ends,
so one page can never change the output of the next.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
from typing import Any

SEED = 0


class PageEnvironment:
    """Context manager that isolates one page's run.

    Args:
        seed: The seed for Python's, NumPy's and torch's random generators.
    """

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self.folder: str | None = None
        self._saved: dict[str, Any] = {}

    def __enter__(self) -> PageEnvironment:
        self._saved = {
            "cwd": os.getcwd(),
            "environ": dict(os.environ),
            "path": list(sys.path),
            "random": random.getstate(),
        }
        self.folder = tempfile.mkdtemp(prefix="pagerun-")
        os.chdir(self.folder)
        os.environ["MPLBACKEND"] = "Agg"
        random.seed(self.seed)
        self._enter_numpy()
        self._enter_torch()
        self._enter_matplotlib()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._exit_matplotlib()
        self._exit_torch()
        self._exit_numpy()
        random.setstate(self._saved["random"])
        sys.path[:] = self._saved["path"]
        os.environ.clear()
        os.environ.update(self._saved["environ"])
        os.chdir(self._saved["cwd"])
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _enter_numpy(self) -> None:
        import numpy as np

        self._saved["numpy"] = np.random.get_state()
        np.random.seed(self.seed)

    def _exit_numpy(self) -> None:
        import numpy as np

        np.random.set_state(self._saved["numpy"])

    def _enter_torch(self) -> None:
        try:
            import torch
        except ImportError:  # pages without torch still run
            return
        self._saved["torch"] = {
            "rng": torch.random.get_rng_state(),
            "dtype": torch.get_default_dtype(),
            "grad": torch.is_grad_enabled(),
            "deterministic": torch.are_deterministic_algorithms_enabled(),
            "threads": torch.get_num_threads(),
        }
        torch.manual_seed(self.seed)
        torch.set_default_dtype(torch.float32)
        torch.set_grad_enabled(True)
        # One thread: the examples are tiny, test workers share two cores, and results
        # do not depend on how many cores the machine that ran them had.
        torch.set_num_threads(1)

    def _exit_torch(self) -> None:
        saved = self._saved.get("torch")
        if saved is None:
            return
        import torch

        torch.random.set_rng_state(saved["rng"])
        torch.set_default_dtype(saved["dtype"])
        torch.set_grad_enabled(saved["grad"])
        torch.use_deterministic_algorithms(saved["deterministic"])
        torch.set_num_threads(saved["threads"])

    def _enter_matplotlib(self) -> None:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt

        plt.close("all")
        self._saved["rc"] = matplotlib.rcParams.copy()
        matplotlib.rcdefaults()
        matplotlib.use("Agg", force=True)

    def _exit_matplotlib(self) -> None:
        import matplotlib
        import matplotlib.pyplot as plt

        plt.close("all")
        with _quiet_rc():
            matplotlib.rcParams.update(self._saved["rc"])


class _quiet_rc:
    # Restoring rcParams can warn about deprecated keys the copy still holds.
    def __enter__(self) -> None:
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc_info: object) -> None:
        self._catch.__exit__(*exc_info)
