r"""``Multinomial(total_count, probs)``: how often each of $k$ outcomes occurs in $n$ draws.

``Multinomial(10, torch.ones(6) / 6).sample()`` rolls a fair die ten times and returns the six
counts (floats, summing to 10). ``probs`` may be unnormalised weights; they are divided by their
sum. The mean of count $i$ is $n p_i$ and its variance $n p_i (1 - p_i)$.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..creation import tensor
from ..size import Size
from ..tensor import Tensor


class Multinomial:
    """Counts of ``total_count`` draws among ``probs.shape[-1]`` outcomes."""

    def __init__(self, total_count: int = 1, probs: Tensor | None = None,
                 logits: Tensor | None = None, validate_args: Any = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is None:
            probs = (logits - logits.logsumexp(-1, keepdim=True)).exp()
        weights = probs.numpy_host().astype(np.float64)
        if not np.isfinite(weights).all() or (weights < 0).any() or (weights.sum(-1) <= 0).any():
            raise ValueError(
                f"Expected parameter probs (Tensor of shape {tuple(probs.shape)}) of distribution "
                f"Multinomial to satisfy the constraint Simplex(), but found invalid values:\n"
                f"{probs}"
            )
        self.total_count = int(total_count)
        self.probs = probs / probs.sum(-1, keepdim=True)
        self.batch_shape, self.event_shape = Size(probs.shape[:-1]), Size(probs.shape[-1:])

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Counts of shape ``sample_shape + batch_shape + (k,)``, drawn from the global
        generator (``manual_seed``)."""
        from ..random import rng

        shape = tuple(sample_shape) if isinstance(sample_shape, (tuple, list, Size)) else (
            int(sample_shape),)
        p = self.probs.numpy_host().astype(np.float64)
        flat = p.reshape(-1, p.shape[-1])
        draws = np.stack([rng().multinomial(self.total_count, row / row.sum(), size=shape)
                          for row in flat], axis=len(shape))
        counts = draws.reshape(shape + tuple(self.batch_shape) + tuple(self.event_shape))
        return tensor(counts, dtype=self.probs.dtype, device=self.probs.device)

    def log_prob(self, value: Tensor) -> Tensor:
        r"""$\log n! - \sum_i \log x_i! + \sum_i x_i \log p_i$."""
        x = value.numpy_host().astype(np.float64)
        lgamma = np.vectorize(math.lgamma)
        p = self.probs.numpy_host().astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(x == 0, 0.0, x * np.log(p))
        out = lgamma(self.total_count + 1.0) - lgamma(x + 1.0).sum(-1) + terms.sum(-1)
        return tensor(out, dtype=value.dtype, device=value.device)

    def __repr__(self) -> str:
        return "Multinomial()"
