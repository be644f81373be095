"""Random numbers: one global generator, seeded with ``manual_seed`` (as in PyTorch).

The numbers differ from PyTorch's for the same seed (we draw them with NumPy), but a seed always
gives the same numbers here, which is what makes notebooks and tests repeatable.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Generator:
    """A random-number generator you can seed and pass around (``DataLoader(generator=g)``)."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = 0
        self.rng = np.random.default_rng(0)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2**63))).initial_seed()

    def get_state(self) -> Any:
        return self.rng.bit_generator.state

    def set_state(self, state: Any) -> None:
        self.rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator: the random numbers that follow are the same on every run."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (or the global one)."""
    return (generator or default_generator).rng
