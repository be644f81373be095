"""``Dataset``: anything with ``len(ds)`` and ``ds[i]`` (one sample, e.g. ``(image, label)``).

``TensorDataset(X, y)`` is the common case: sample ``i`` is ``(X[i], y[i])``.
``random_split`` cuts a dataset into non-overlapping parts (train/validation).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..tensor import Tensor


class Dataset:
    """Base class: subclasses implement ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __len__(self) -> int:
        raise NotImplementedError("Subclasses of Dataset should implement __len__.")


class TensorDataset(Dataset):
    """Samples are the rows of tensors that share their first dimension.

    >>> import tinygrad_edu
    >>> ds = TensorDataset(tinygrad_edu.zeros(5, 2), tinygrad_edu.arange(5))
    >>> len(ds), ds[1]
    (5, (tensor([0., 0.]), tensor(1)))
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            sizes = ", ".join(str(t.shape[0]) for t in tensors)
            raise AssertionError(f"Size mismatch between tensors (first dimensions: {sizes})")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return [self.dataset[self.indices[i]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator: Any = None) -> list[Subset]:
    """Shuffle, then cut into parts of the given sizes (or fractions that sum to 1)."""
    from ..random import rng

    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-6:
        sizes = [int(n * f) for f in lengths]
        for i in range(n - sum(sizes)):  # hand out the remainder round-robin, as PyTorch does
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = rng(generator).permutation(n).tolist()
    parts, start = [], 0
    for size in lengths:
        parts.append(Subset(dataset, order[start:start + size]))
        start += size
    return parts
