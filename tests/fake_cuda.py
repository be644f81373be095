"""The ``fake_cuda`` fixture: inside a test, "cuda" is the simulated GPU.

The simulated GPU itself lives in the package (``tinygrad_edu/simulated_gpu.py``) because the
chapter-07 exercises use it too; see its docstring for how it mimics CuPy.
"""
from __future__ import annotations

import pytest

from tinygrad_edu.simulated_gpu import SimulatedGpu, SimulatedGpuArray, simulated_machine

FakeCudaBackend = SimulatedGpu  # the names the device tests use
FakeCudaArray = SimulatedGpuArray


@pytest.fixture
def fake_cuda():
    """Make "cuda" the simulated GPU for one test; yields the backend (its copy counters)."""
    with simulated_machine("gpu") as backend:
        yield backend
