"""``DataLoader``: walk a dataset in (shuffled) mini-batches::

    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    for xb, yb in loader:       # xb: (32, ...) stacked samples, yb: (32,)
        ...

Each epoch (each ``for`` loop) draws a new order from ``generator`` (or the global generator,
seeded by ``tinygrad_edu.manual_seed``), so a seed makes the whole training run repeatable.
``default_collate`` turns a list of samples into one batch: tensors are stacked, numbers become a
tensor, and tuples/dicts are collated field by field.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..tensor import Tensor
from .dataset import Dataset, TensorDataset


def default_collate(batch: list) -> Any:
    """Samples -> batch: ``[(x0, y0), (x1, y1)]`` -> ``(stack([x0, x1]), tensor([y0, y1]))``."""
    from ..creation import tensor
    from ..dtypes import float64
    from ..tensor_functions import stack

    first = batch[0]
    if isinstance(first, Tensor):
        return stack(list(batch))
    if isinstance(first, np.ndarray):
        return stack([tensor(b) for b in batch])
    if isinstance(first, bool):
        return tensor(batch)
    if isinstance(first, (int, np.integer)):
        return tensor(batch)
    if isinstance(first, (float, np.floating)):
        return tensor(batch, dtype=float64)  # PyTorch's choice: Python floats are double
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, dict):
        return {key: default_collate([b[key] for b in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(b) != len(first) for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(column)) for column in zip(*batch, strict=True)]
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(first).__name__}"
    )


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples."""

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Callable | None = None,
                 generator: Any = None, num_workers: int = 0, **kwargs: Any) -> None:
        if batch_size is not None and batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.drop_last, self.generator, self.num_workers = drop_last, generator, num_workers
        self.collate_fn = collate_fn or default_collate
        self._fast = (collate_fn is None and isinstance(dataset, TensorDataset)
                      and not any(t.requires_grad for t in dataset.tensors))

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray:
        from ..random import rng

        n = len(self.dataset)
        return rng(self.generator).permutation(n) if self.shuffle else np.arange(n)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        if self.batch_size is None:  # no batching: one sample at a time
            for i in order:
                yield self.dataset[int(i)]
            return
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                return
            if self._fast:  # same result as collating the samples, one indexing per tensor
                tensors = self.dataset.tensors
                yield tuple(Tensor._make(t.array[_device_index(idx, t)]) for t in tensors)
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])


def _device_index(idx: np.ndarray, t: Tensor) -> Any:
    from ..device import array_module

    xp = array_module(t.array)
    return idx if xp is np else xp.asarray(idx)
