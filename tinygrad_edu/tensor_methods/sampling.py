"""Tensor methods that draw random numbers: multinomial, bernoulli (and their in-place forms).

Draws come from the global generator (``manual_seed``) or the ``generator=`` passed, on the
host, then move to the tensor's device. They have no gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..device import backend

if TYPE_CHECKING:
    from ..tensor import Tensor

Tensor = None  # noqa: F811  set by bind()


def _on_device_of(t: Tensor, host: np.ndarray) -> Tensor:
    dev = t.device
    data = host if dev.type == "cpu" else backend(dev.type).from_host(host, dev.index or 0)
    return Tensor._make(data)


class SamplingMethods:
    """multinomial, bernoulli, bernoulli_, exponential_, random_."""

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> Tensor:
        """Draw ``num_samples`` category indices with probabilities proportional to the rows
        of this 1-D or 2-D tensor of non-negative weights (they need not sum to 1)."""
        from ..random import rng

        if self.ndim not in (1, 2):
            raise RuntimeError("prob_dist must be 1 or 2 dim")
        if self.array.dtype.kind != "f":
            raise RuntimeError(
                f"multinomial only supports floating-point dtypes for input, got: "
                f"{self.dtype.name.capitalize()}"
            )
        weights = self.numpy_host().astype(np.float64).reshape(-1, self.shape[-1])
        n = weights.shape[1]
        if num_samples <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        if not replacement and num_samples > n:
            raise RuntimeError(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
            )
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise RuntimeError(
                "probability tensor contains either `inf`, `nan` or element < 0"
            )
        sums = weights.sum(axis=1)
        if (sums <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and ((weights > 0).sum(axis=1) < num_samples).any():
            raise RuntimeError(
                "invalid multinomial distribution (with replacement=False, not enough non-negative "
                "category to sample)"
            )
        g = rng(generator)
        rows = [
            g.choice(n, size=num_samples, replace=replacement, p=w / w.sum()) for w in weights
        ]
        out = np.stack(rows).astype(np.int64)
        return _on_device_of(self, out if self.ndim == 2 else out[0])

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        """1 with probability ``p`` (this tensor's values, or the number given), else 0."""
        from ..random import rng

        probs = self.numpy_host() if p is None else np.full(self.array.shape, float(p))
        if ((probs < 0) | (probs > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        draws = rng(generator).random(self.array.shape) < probs
        return _on_device_of(self, draws.astype(self.array.dtype))

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        from ..creation import full_like

        with _no_grad():
            return self.copy_(full_like(self, 0).bernoulli(p, generator=generator))

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        from ..random import rng

        draws = rng(generator).exponential(1 / lambd, self.array.shape)
        with _no_grad():
            return self.copy_(_on_device_of(self, draws.astype(self.array.dtype)))

    def random_(self, low: int = 0, high: int | None = None, *, generator: Any = None) -> Tensor:
        from ..random import rng

        if high is None:
            low, high = 0, low if low else 2**24
        draws = rng(generator).integers(low, high, self.array.shape)
        with _no_grad():
            return self.copy_(_on_device_of(self, draws.astype(self.array.dtype)))


def _no_grad() -> Any:
    from ..autograd.grad_mode import no_grad

    return no_grad()
