"""Devices without a GPU: device objects, the clear errors when CuPy or a GPU is missing, a fast
and silent import, and the rule that ops never branch on the backend themselves.

(The device *rules* run in ``test_device_semantics.py`` on a fake GPU, and on a real one in
``test_device_gpu.py``.)
"""
from __future__ import annotations

import importlib
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg

device_module = importlib.import_module("tinygrad_edu.device")
ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------- device objects
@pytest.mark.parametrize("spec, type_, index, text", [
    ("cpu", "cpu", None, "cpu"),
    ("cuda", "cuda", None, "cuda"),
    ("cuda:0", "cuda", 0, "cuda:0"),
    ("cuda:1", "cuda", 1, "cuda:1"),
    (0, "cuda", 0, "cuda:0"),
])
def test_device_parses_like_torch(spec: object, type_: str, index: int | None, text: str) -> None:
    d = tg.device(spec)
    assert (d.type, d.index, str(d)) == (type_, index, text)
    assert tg.device(d) == d and hash(tg.device(text)) == hash(d)
    assert d == text  # compares with strings too


def test_device_repr_and_two_argument_form() -> None:
    assert repr(tg.device("cuda", 0)) == "device(type='cuda', index=0)"
    assert repr(tg.device("cpu")) == "device(type='cpu')"
    assert tg.device("cuda", 0) == tg.device("cuda:0") != tg.device("cuda")
    assert tg.device("cpu") != "cuda" and tg.device("cpu") != "not a device"


@pytest.mark.parametrize("spec, message", [
    ("gpu", r"Expected one of cpu, cuda device type at start of device string: gpu \(did you "
            r"mean 'cuda'\?\)"),
    ("tpu", "Expected one of cpu, cuda device type at start of device string: tpu"),
    ("cuda:x", "Invalid device string: 'cuda:x'"),
    ("cuda:-1", "Invalid device string"),
])
def test_bad_device_strings_explain_themselves(spec: str, message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        tg.device(spec)


def test_cpu_tensors_report_cpu() -> None:
    x = tg.ones(2)
    assert x.device == tg.device("cpu") and str(x.device) == "cpu" and not x.is_cuda
    assert "device=" not in repr(x)  # PyTorch prints the device only when it is not the CPU
    assert x.to("cpu") is x and x.cpu() is x


def test_numpy_is_allowed_under_no_grad_like_torch() -> None:
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Use tensor.detach"):
        x.numpy()
    with tg.no_grad():
        np.testing.assert_array_equal(x.numpy(), [1.0, 1.0])


def test_register_backend_returns_the_old_one() -> None:
    real = device_module.backend("cuda")
    replacement = device_module.Backend()
    assert device_module.register_backend("cuda", replacement) is real
    assert device_module.register_backend("cuda", real) is replacement
    with pytest.raises(ValueError, match="unknown device type"):
        device_module.register_backend("tpu", replacement)


def test_the_fake_cuda_fixture_restores_the_real_backend(fake_cuda: object) -> None:
    assert device_module.backend("cuda") is fake_cuda
    # (the fixture's teardown puts the real one back; test_register_backend checks the API)


# ---------------------------------------------------------------------------- missing CuPy / GPU
class _CUDARuntimeError(RuntimeError):
    pass


def _cupy_without_gpu() -> types.ModuleType:
    """What ``import cupy`` gives on a machine with CuPy but no GPU: it imports, sees 0 GPUs."""
    def no_device() -> int:
        raise _CUDARuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    cupy = types.ModuleType("cupy")
    cupy.ndarray = type("ndarray", (), {})
    cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device))
    return cupy


@pytest.fixture(params=["no cupy", "cupy without gpu"])
def no_gpu(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh real CuPy backend, on a machine without CuPy, or with CuPy and no GPU."""
    real_import = importlib.import_module

    def fake_import(name: str, *args: object) -> object:
        if name == "cupy":
            if request.param == "no cupy":
                raise ModuleNotFoundError("No module named 'cupy'")
            return _cupy_without_gpu()
        return real_import(name, *args)

    monkeypatch.setattr(device_module.importlib, "import_module", fake_import)
    old = device_module.register_backend("cuda", device_module.CupyBackend())
    yield request.param
    device_module.register_backend("cuda", old)


def test_asking_for_cuda_without_a_gpu_says_what_is_missing(no_gpu: str) -> None:
    message = ("needs CuPy, which could not be imported" if no_gpu == "no cupy"
               else "CuPy is installed, but it sees no CUDA GPU")
    x = tg.ones(2)
    for attempt in (lambda: tg.zeros(2, device="cuda"), lambda: x.to("cuda"), x.cuda,
                    lambda: tg.randn(2, device="cuda:0"), lambda: tg.tensor([1.0], device="cuda"),
                    tg.cuda.synchronize):
        with pytest.raises(RuntimeError, match=message) as err:
            attempt()
        if no_gpu == "no cupy":
            assert "pip install -e '.[gpu]'" in str(err.value)
            assert "cupy-cuda12x" in str(err.value)
        assert "default_device()" in str(err.value)


def test_availability_without_a_gpu(no_gpu: str) -> None:
    assert tg.cuda.is_available() is False
    assert tg.cuda.device_count() == 0
    assert tg.cuda.default_device() == "cpu"
    x = tg.ones(2, device=tg.cuda.default_device())  # the portable lesson idiom just works
    assert x.device == "cpu" and x.to(tg.cuda.default_device()) is x


def test_is_available_agrees_with_device_count() -> None:
    """Whatever this machine has (no CuPy here; CuPy and a GPU on a GPU machine)."""
    assert tg.cuda.is_available() == (tg.cuda.device_count() > 0)
    assert tg.cuda.default_device() == ("cuda" if tg.cuda.is_available() else "cpu")


# ---------------------------------------------------------------------------- import stays light
def test_import_is_fast_silent_and_does_not_import_cupy() -> None:
    code = "import sys, tinygrad_edu; print('cupy' in sys.modules)"
    quiet = subprocess.run([sys.executable, "-c", "import tinygrad_edu"], capture_output=True,
                           text=True, cwd=ROOT, timeout=60)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == "", (
        f"import tinygrad_edu must print nothing: {quiet.stdout!r} {quiet.stderr!r}"
    )
    # Fast by construction (timing it in a unit test would be noise): nothing heavy is imported.
    heavy = ["cupy", "torch", "matplotlib", "graphviz", "IPython", "ipywidgets"]
    code = f"import sys, tinygrad_edu; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert loaded.stdout.strip() == "[]", f"import tinygrad_edu imported {loaded.stdout.strip()}"


# ---------------------------------------------------------------------------- one place decides
def test_ops_never_branch_on_the_backend() -> None:
    """Ops call ``array_module(x)``; only ``device.py`` knows NumPy from CuPy."""
    allowed_numpy = {"errstate", "dtype"}  # no data goes through these
    for path in sorted((ROOT / "tinygrad_edu" / "ops").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        code = re.sub(r'("""|\'\'\')[\s\S]*?\1|#.*', "", source)  # no docstrings, no comments
        branching = (r"\bcupy\b", r"\.is_cuda\b", r"device\.type", r"\bisinstance\([^)]*ndarray")
        for pattern in branching:
            assert not re.search(pattern, code), (
                f"{path.name} branches on the backend ({pattern}); ask array_module(x) for the "
                "module instead"
            )
        for name in re.findall(r"\bnp\.(\w+)", code):
            assert name in allowed_numpy, (
                f"{path.name} calls np.{name}: on a CUDA tensor that is the wrong library. Use "
                "xp = array_module(x); xp." + name
            )


def test_gpu_check_skips_cleanly_without_a_gpu() -> None:
    if tg.cuda.is_available():
        pytest.skip("this machine has a GPU: bench/gpu_check.py would run for real")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_check.py")],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("no GPU: skipped"), done.stdout
