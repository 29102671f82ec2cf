"""Memory per float type: measure the bytes one tensor takes in each dtype.

Builds a table with, for float64, float32, float16 and bfloat16, the bytes per
element, the measured size of a 1000 x 1000 tensor, the largest finite value
and the gap between 1 and the next representable number (machine epsilon).
"""

# --8<-- [start:table]
import pandas as pd
import torch


def dtype_table(shape=(1000, 1000)):
    """Measure one tensor of `shape` in each float dtype."""
    rows = []
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        t = torch.zeros(shape, dtype=dtype)
        info = torch.finfo(dtype)  # the limits of this float format
        rows.append(
            {
                "dtype": str(dtype).removeprefix("torch."),
                "bytes/element": t.element_size(),
                "MB": t.element_size() * t.numel() / 1e6,  # measured, not assumed
                "largest": f"{info.max:.3g}",
                "epsilon": f"{info.eps:.3g}",
            }
        )
    return pd.DataFrame(rows).set_index("dtype")


# --8<-- [end:table]

if __name__ == "__main__":
    print(dtype_table())
