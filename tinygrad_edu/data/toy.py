r"""Small 2-D classification problems, generated in code from a seed (no download).

Each returns ``(X, y)``: ``X`` float32 of shape (n_samples, 2), ``y`` int64 class labels.
They are the classic playgrounds for a first network: a straight line cannot separate them,
two Linear layers with a ReLU between can.

* ``make_moons``: two interleaving half circles;
* ``make_circles``: a small circle inside a big one;
* ``make_spirals``: ``n_classes`` arms spiralling out from the centre (hard!).
"""
from __future__ import annotations

import numpy as np

from ..creation import from_numpy
from ..tensor import Tensor


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator,
            noise: float) -> tuple[Tensor, Tensor]:
    if noise:
        X = X + rng.normal(0.0, noise, X.shape)
    order = rng.permutation(len(y))
    return from_numpy(X[order].astype(np.float32)), from_numpy(y[order].astype(np.int64))


def _split(n_samples: int, parts: int) -> list[int]:
    sizes = [n_samples // parts] * parts
    for i in range(n_samples - sum(sizes)):
        sizes[i] += 1
    return sizes


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[Tensor, Tensor]:
    r"""Two half circles: class 0 is $(\cos t, \sin t)$, class 1 is $(1 - \cos t, 0.5 - \sin t)$,
    $t \in [0, \pi]$, plus Gaussian noise of standard deviation ``noise``."""
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n_samples, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1),
                        np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _finish(X, y, rng, noise)


def make_circles(n_samples: int = 200, noise: float = 0.05, factor: float = 0.5,
                 seed: int = 0) -> tuple[Tensor, Tensor]:
    """Class 0 on the unit circle, class 1 on a circle of radius ``factor`` inside it."""
    if not 0 <= factor < 1:
        raise ValueError("'factor' has to be between 0 and 1.")
    rng = np.random.default_rng(seed)
    n_out, n_in = _split(n_samples, 2)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        factor * np.stack([np.cos(t_in), np.sin(t_in)], 1)])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, rng, noise)


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2,
                 seed: int = 0) -> tuple[Tensor, Tensor]:
    r"""``n_classes`` spiral arms: arm $k$ has radius $r \in [0, 1]$ and angle
    $4r + 2\pi k / K$ (plus noise on the angle), as in Stanford's CS231n."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k, n in enumerate(_split(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, n)
        angle = 4 * r + 2 * np.pi * k / n_classes + rng.normal(0.0, noise, n)
        X.append(np.stack([r * np.sin(angle), r * np.cos(angle)], 1))
        y.append(np.full(n, k))
    return _finish(np.concatenate(X), np.concatenate(y), rng, 0.0)
