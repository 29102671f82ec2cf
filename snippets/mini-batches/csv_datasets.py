"""Two datasets over one CSV file: map-style (random access) and iterable-style (a stream).

Used in the chapter "Mini-batches and training loops". Run on its own, it writes
a small CSV into a temporary folder and reads it back both ways.
"""

# --8<-- [start:transform]
import torch


class Standardize:
    """A transform: subtract a per-feature mean and divide by a per-feature std."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        self.mean = mean
        self.std = std

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


# --8<-- [end:transform]


# --8<-- [start:map_style]
import pandas as pd
from torch.utils.data import Dataset


class CsvDataset(Dataset):
    """Rows of a CSV file as (features, target) pairs; random access by index."""

    def __init__(self, path, target="y", transform=None):
        table = pd.read_csv(path)  # read once: the file is small enough for memory
        features = table.drop(columns=[target])
        self.columns = list(features.columns)
        self.X = torch.tensor(features.to_numpy(), dtype=torch.float32)  # (n, d)
        self.y = torch.tensor(table[target].to_numpy(), dtype=torch.float32)  # (n,)
        self.transform = transform

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        x = self.X[idx]
        if self.transform is not None:
            x = self.transform(x)  # applied to every sample, the same way, at load time
        return x, self.y[idx]


# --8<-- [end:map_style]


# --8<-- [start:iterable_style]
import csv

from torch.utils.data import IterableDataset


class CsvStream(IterableDataset):
    """The same rows, read one line at a time: no length, no random access."""

    def __init__(self, path, target="y"):
        self.path = path
        self.target = target

    def __iter__(self):
        with open(self.path, newline="") as file:
            for row in csv.DictReader(file):  # only one row is in memory at a time
                y = float(row.pop(self.target))
                x = [float(value) for value in row.values()]
                yield torch.tensor(x), torch.tensor(y)


# --8<-- [end:iterable_style]


if __name__ == "__main__":
    import tempfile
    from pathlib import Path

    from sklearn.datasets import make_regression
    from torch.utils.data import DataLoader

    X, y = make_regression(n_samples=20, n_features=3, noise=1.0, random_state=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        pd.DataFrame(X, columns=["x1", "x2", "x3"]).assign(y=y).to_csv(path, index=False)
        data = CsvDataset(path, transform=Standardize(torch.zeros(3), torch.ones(3)))
        assert len(data) == 20 and data[0][0].shape == (3,)
        streamed = [x for x, _ in DataLoader(CsvStream(path), batch_size=8)]
        assert [batch.shape[0] for batch in streamed] == [8, 8, 4]
        torch.testing.assert_close(torch.cat(streamed), data.X)
        print(f"{len(data)} rows read both ways; first row {data[0][0].tolist()}")
