"""The 8x8 handwritten digits: 1,797 tiny grey images of 0-9, shipped inside the package.

This is the UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin & Kaynak, 1998;
licence CC BY 4.0, see ``DIGITS_LICENSE.txt``), the same data as scikit-learn's ``load_digits``.
Each pixel counts the ink in a 4x4 block of a 32x32 bitmap, 0..16; we scale it to [0, 1].

>>> X_train, y_train = load_digits("train")      # (1437, 64) float32, (1437,) int64
>>> X_test, y_test = load_digits("test")         # (360, 64), (360,)
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..creation import from_numpy
from ..tensor import Tensor

DATA_FILE = Path(__file__).with_name("digits.npz")


def _raw() -> tuple[np.ndarray, np.ndarray]:
    with np.load(DATA_FILE, allow_pickle=False) as f:
        return f["images"], f["targets"]


def load_digits(split: str | None = None, test_fraction: float = 0.2, seed: int = 0,
                as_images: bool = False) -> tuple[Tensor, Tensor]:
    """``(X, y)``: images as float32 in [0, 1], labels as int64.

    ``split``: ``"train"`` or ``"test"`` (a seeded shuffle; the test part is ``test_fraction``
    of the data, the same two parts for the same seed), or ``None`` for all 1,797 images.
    ``X`` has shape (N, 64), or (N, 1, 8, 8) with ``as_images=True``.
    """
    if split not in (None, "train", "test"):
        raise ValueError(f"split must be 'train', 'test' or None, got {split!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    images, targets = _raw()
    if split is not None:
        order = np.random.default_rng(seed).permutation(len(targets))
        n_test = math.ceil(len(targets) * test_fraction)  # scikit-learn's rounding
        keep = order[:n_test] if split == "test" else order[n_test:]
        images, targets = images[keep], targets[keep]
    X = images.astype(np.float32) / np.float32(16.0)
    X = X.reshape(len(X), 1, 8, 8) if as_images else X.reshape(len(X), 64)
    return from_numpy(np.ascontiguousarray(X)), from_numpy(targets.astype(np.int64))
