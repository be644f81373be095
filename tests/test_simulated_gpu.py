"""The simulated GPU unwraps its arrays wherever NumPy receives them, keyword arguments included."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tinygrad_edu.device import array_module
from tinygrad_edu.simulated_gpu import SimulatedGpuArray


def _gpu(values: Any) -> Any:
    return np.array(values).view(SimulatedGpuArray)


def test_copyto_with_a_gpu_mask_as_keyword(fake_cuda: Any) -> None:
    target, source = _gpu([0.0, 0.0, 0.0, 0.0]), _gpu([1.0, 2.0, 3.0, 4.0])
    mask = _gpu([True, False, True, False])
    xp = array_module(target)
    xp.copyto(target, source, where=mask)
    assert type(target) is SimulatedGpuArray
    assert target.tolist() == [1.0, 0.0, 3.0, 0.0]


def test_ufunc_with_gpu_where_and_out_keywords(fake_cuda: Any) -> None:
    a, b, out = _gpu([1.0, 2.0, 3.0]), _gpu([10.0, 20.0, 30.0]), _gpu([-1.0, -1.0, -1.0])
    result = np.add(a, b, out=out, where=_gpu([True, False, True]))
    assert result is not None and type(result) is SimulatedGpuArray
    assert out.tolist() == [11.0, -1.0, 33.0]


def test_a_cpu_array_as_keyword_is_still_refused(fake_cuda: Any) -> None:
    target, source = _gpu([0.0, 0.0]), _gpu([1.0, 2.0])
    with pytest.raises(TypeError, match="GPU array met a CPU"):
        array_module(target).copyto(target, source, where=np.array([True, False]))
    with pytest.raises(TypeError, match="GPU array met a CPU"):
        np.add(target, source, where=np.array([True, False]))
