"""Devices behave as in PyTorch: tensors move, gradients follow them, mixing them is an error.

:class:`DeviceSemantics` holds every rule once. It runs here on the fake GPU of
``tests/fake_cuda.py`` (NumPy arrays of a subclass, so it runs in CPU-only CI), and in
``test_device_gpu.py`` on a real GPU with CuPy (marked ``gpu``; skipped without one).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.device import Backend, backend

MISMATCH = "Expected all tensors to be on the same device"
CUDA0 = tg.device("cuda", 0)


def on_cuda(t: tg.Tensor, what: str) -> None:
    """``t`` lives on cuda:0: its device says so and its array is the GPU backend's kind."""
    assert t.device == CUDA0, f"{what}: expected device cuda:0, got {t.device}"
    assert isinstance(t.array, backend("cuda").array_types), (
        f"{what}: a cuda tensor must hold a GPU array, got {type(t.array).__name__}"
    )


def on_cpu(t: tg.Tensor, what: str) -> None:
    assert t.device == tg.device("cpu"), f"{what}: expected device cpu, got {t.device}"
    assert type(t.array) is np.ndarray, f"{what}: a cpu tensor holds a NumPy array"


def host(t: tg.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def close(a: Any, b: Any, what: str) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=what)


def data(seed: int, *shapes: tuple, positive: bool = False) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    return [np.abs(a) + 0.5 for a in arrays] if positive else arrays


# Every op family: (name, function of the input tensors, input arrays). Each runs on the CPU and
# on the GPU; outputs and gradients must match, and live on the inputs' device.
x23, y23, w34, v3, b3 = data(0, (2, 3), (2, 3), (3, 4), (3,), (4, 3, 5))[:5]
p23 = data(1, (2, 3), positive=True)[0]
OPS: list[tuple[str, Callable, list[np.ndarray]]] = [
    ("add with broadcast", lambda a, b: a + b, [x23, v3]),
    ("sub, mul, div", lambda a, b: (a - b) * a / (b * b + 1), [x23, y23]),
    ("pow by number", lambda a: a**3, [x23]),
    ("pow by tensor", lambda a, b: a**b, [p23, y23]),
    ("neg and number ops", lambda a: 2 - (-a) * 0.5 + 1 / (a * a + 1), [x23]),
    ("exp log sqrt", lambda a: a.exp() + a.log() + a.sqrt(), [p23]),
    ("tanh sigmoid relu abs", lambda a: a.tanh() + a.sigmoid() + a.relu() + a.abs(), [x23]),
    ("maximum minimum clamp", lambda a, b: a.maximum(b) + a.minimum(b) + a.clamp(-0.5, 0.5),
     [x23, y23]),
    ("where", lambda a, b: tg.where(a > b, a, b * 2), [x23, y23]),
    ("sum mean all", lambda a: a.sum() + a.mean(), [b3]),
    ("sum mean dim", lambda a: a.sum(dim=1) + a.mean(dim=(0, 2), keepdim=True).sum(), [b3]),
    ("max min all", lambda a: a.max() - a.min(), [b3]),
    ("max min dim", lambda a: a.max(dim=1).values + a.min(dim=2, keepdim=True).values.sum(1),
     [b3]),
    ("var std", lambda a: a.var(dim=1) + a.std(), [b3]),
    ("matmul 2d", lambda a, b: a @ b, [x23, w34]),
    ("matmul vector", lambda a, b: a @ b, [x23, v3]),
    ("matmul batched", lambda a, b: a @ b, [b3, data(2, (4, 5, 2))[0]]),
    ("reshape view flatten", lambda a: a.reshape(5, 12).view(60).reshape(3, 4, 5).flatten(1),
     [b3]),
    ("permute transpose T", lambda a: a.permute(2, 0, 1).transpose(0, 1) * 2 + a.T.permute(
        2, 0, 1), [b3]),
    ("expand squeeze unsqueeze", lambda a: a.unsqueeze(0).expand(4, 3).squeeze() * 1.5, [v3]),
    ("index basic", lambda a: a[1:, ::2, 0] * 2 + a[0, 1, 2], [b3]),
    ("index integer array with repeats", lambda a: a[[0, 0, 2, 0]] * 3, [b3]),
    ("index tensor and rows", lambda a: a[tg.arange(3), tg.tensor([0, 2, 2])], [b3]),
    ("index bool mask", lambda a: a[a > 0] * 2, [x23]),
    ("softmax", lambda a: a.softmax(dim=-1) * tg.arange(5.0).to(a.device), [b3]),
    ("log_softmax", lambda a: a.log_softmax(dim=1) * 0.3, [b3]),
    ("cross-entropy", lambda a: -a.log_softmax(dim=1)[tg.arange(2), tg.tensor([2, 0])].mean(),
     [x23]),
    ("cat", lambda a, b: tg.cat([a, b, a], dim=1), [x23, y23]),
    ("stack", lambda a, b: tg.stack([a, b], dim=2), [x23, y23]),
    ("split chunk unbind", lambda a: a.split(2, dim=2)[1].sum() + a.unbind(1)[2], [b3]),
    ("setitem", lambda a, b: _setitem(a, b), [x23, v3]),
    ("clone and dtype round trip", lambda a: a.clone().double().float() * 2, [x23]),
]


def _setitem(a: tg.Tensor, b: tg.Tensor) -> tg.Tensor:
    out = a * 1
    out[0] = b * 2
    return out


class DeviceSemantics:
    """The rules. A subclass supplies the ``cuda_backend`` fixture (fake GPU or CuPy)."""

    @pytest.fixture(autouse=True)
    def _gpu(self, cuda_backend: Backend) -> None:
        self.backend = cuda_backend

    # ---------------------------------------------------------------- devices and creation
    def test_device_attribute_and_printing(self) -> None:
        x = tg.tensor([1.0, 2.0], device="cuda")
        on_cuda(x, "tensor(..., device='cuda')")
        assert str(x.device) == "cuda:0" and x.is_cuda
        assert repr(x) == "tensor([1., 2.], device='cuda:0')"
        y = tg.tensor([1.0, 2.0], device="cuda", requires_grad=True)
        assert repr(y) == "tensor([1., 2.], device='cuda:0', requires_grad=True)"
        assert repr(y * 2) == "tensor([2., 4.], device='cuda:0', grad_fn=<MulBackward0>)"
        z = tg.tensor([1, 2], dtype=tg.int32, device="cuda")
        assert repr(z) == "tensor([1, 2], device='cuda:0', dtype=torch.int32)"
        assert repr(tg.tensor(3.5, device="cuda")) == "tensor(3.5000, device='cuda:0')"

    @pytest.mark.parametrize("dev", ["cuda", "cuda:0", CUDA0, 0])
    def test_every_creation_function_takes_device(self, dev: Any) -> None:
        made = {
            "tensor": tg.tensor([1.0, 2.0], device=dev),
            "as_tensor": tg.as_tensor([1.0, 2.0], device=dev),
            "Tensor": tg.Tensor([1.0, 2.0], device=dev),
            "zeros": tg.zeros(2, 3, device=dev),
            "ones": tg.ones((2, 3), device=dev),
            "empty": tg.empty(2, device=dev),
            "full": tg.full((2,), 7.0, device=dev),
            "arange": tg.arange(5, device=dev),
            "linspace": tg.linspace(0, 1, 5, device=dev),
            "eye": tg.eye(3, device=dev),
            "rand": tg.rand(2, 3, device=dev),
            "randn": tg.randn(2, 3, device=dev),
            "randint": tg.randint(0, 10, (4,), device=dev),
            "randperm": tg.randperm(5, device=dev),
            "zeros(requires_grad)": tg.zeros(2, device=dev, requires_grad=True),
        }
        for name, t in made.items():
            on_cuda(t, f"{name}(..., device={dev!r})")
        assert tg.full((2,), 7.0, device=dev).tolist() == [7.0, 7.0]

    def test_like_functions_follow_their_tensor_or_the_device_given(self) -> None:
        g = tg.randn(2, 3, device="cuda")
        c = tg.randn(2, 3)
        for fn in (tg.zeros_like, tg.ones_like, tg.empty_like, tg.rand_like, tg.randn_like):
            on_cuda(fn(g), f"{fn.__name__}(cuda tensor)")
            on_cpu(fn(c), f"{fn.__name__}(cpu tensor)")
            on_cuda(fn(c, device="cuda"), f"{fn.__name__}(cpu tensor, device='cuda')")
            on_cpu(fn(g, device="cpu"), f"{fn.__name__}(cuda tensor, device='cpu')")
        on_cuda(tg.full_like(g, 2.0), "full_like(cuda tensor)")
        on_cpu(tg.full_like(g, 2.0, device="cpu"), "full_like(cuda tensor, device='cpu')")

    def test_tensor_of_a_cuda_tensor_stays_on_cuda(self) -> None:
        """torch.tensor(t): 'If None and data is a tensor then the device of data is used.'"""
        g = tg.tensor([1.0, 2.0], device="cuda")
        on_cuda(tg.tensor(g), "tensor(cuda tensor)")
        on_cpu(tg.tensor(g, device="cpu"), "tensor(cuda tensor, device='cpu')")

    def test_same_seed_same_numbers_on_both_devices(self) -> None:
        tg.manual_seed(3)
        a = tg.randn(4)
        tg.manual_seed(3)
        b = tg.randn(4, device="cuda")
        np.testing.assert_array_equal(a.numpy(), host(b))

    # ---------------------------------------------------------------- moving tensors
    def test_to_cuda_and_back_copies_the_values(self) -> None:
        x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
        for moved in (x.to("cuda"), x.cuda(), x.to(device="cuda"), x.to(CUDA0), x.cuda(0),
                      x.to("cuda:0"), x.to(tg.zeros(1, device="cuda"))):
            on_cuda(moved, "moving a cpu tensor to cuda")
            assert moved.dtype == tg.float32
            back = moved.cpu()
            on_cpu(back, ".cpu()")
            np.testing.assert_array_equal(back.numpy(), x.numpy())
        on_cpu(x.cuda().to("cpu"), ".to('cpu')")

    def test_to_returns_self_when_nothing_changes(self) -> None:
        c = tg.tensor([1.0, 2.0])
        g = tg.tensor([1.0, 2.0], device="cuda")
        assert c.to("cpu") is c and c.cpu() is c and c.to(tg.float32) is c
        assert g.to("cuda") is g and g.cuda() is g and g.to("cuda:0") is g
        assert g.to(CUDA0) is g and g.to(g) is g and g.to("cuda", tg.float32) is g
        assert g.to(tg.zeros(1, device="cuda")) is g

    def test_to_other_tensor_takes_its_device_and_dtype(self) -> None:
        x = tg.tensor([1.0, 2.0])
        y = x.to(tg.zeros(1, dtype=tg.float64, device="cuda"))
        on_cuda(y, "x.to(cuda float64 tensor)")
        assert y.dtype == tg.float64

    @pytest.mark.parametrize("call", [
        lambda x: x.to("cuda", tg.float64),
        lambda x: x.to(tg.float64).cuda(),
        lambda x: x.to(device="cuda", dtype=tg.float64),
        lambda x: x.cuda().double(),
    ])
    def test_dtype_and_device_together(self, call: Callable) -> None:
        x = tg.tensor([1.5, -2.0], requires_grad=True)
        y = call(x)
        on_cuda(y, "dtype and device change")
        assert y.dtype == tg.float64
        (y * y).sum().backward()
        on_cpu(x.grad, "x.grad after a dtype+device round trip")
        assert x.grad.dtype == tg.float32
        np.testing.assert_allclose(x.grad.numpy(), [3.0, -4.0])

    def test_numpy_of_a_cuda_tensor_raises_with_the_hint(self) -> None:
        g = tg.tensor([1.0, 2.0], device="cuda")
        with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy\. "
                           r"Use Tensor\.cpu\(\) to copy the tensor to host memory first\."):
            g.numpy()
        with pytest.raises(TypeError, match="Use Tensor.cpu"):
            np.asarray(g)
        needs_grad = tg.tensor([1.0], device="cuda", requires_grad=True)
        with pytest.raises(TypeError, match="can't convert cuda:0"):  # device comes first
            needs_grad.numpy()
        np.testing.assert_array_equal(g.cpu().numpy(), [1.0, 2.0])
        np.testing.assert_array_equal(g.numpy(force=True), [1.0, 2.0])
        assert g.tolist() == [1.0, 2.0] and g.sum().item() == 3.0

    # ---------------------------------------------------------------- gradients follow devices
    def test_grad_of_a_cuda_leaf_is_a_cuda_tensor(self) -> None:
        w = tg.tensor([[1.0, -2.0], [0.5, 3.0]], device="cuda", requires_grad=True)
        x = tg.tensor([[2.0, 1.0]], device="cuda")
        loss = (x @ w).tanh().sum()
        on_cuda(loss, "loss")
        loss.backward()
        on_cuda(w.grad, "w.grad")
        wc = tg.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        (tg.tensor([[2.0, 1.0]]) @ wc).tanh().sum().backward()
        close(host(w.grad), wc.grad.numpy(), "w.grad on cuda must equal w.grad on cpu")
        loss2 = (w * w).sum()
        loss2.backward()  # accumulates on the device
        on_cuda(w.grad, "w.grad after a second backward")

    def test_backward_across_a_to_boundary_brings_the_grad_home(self) -> None:
        x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)  # cpu
        y = x.to("cuda")
        assert y.grad_fn is not None and y.grad_fn.name() == "ToCopyBackward0"
        loss = (y * y).sum()
        on_cuda(loss, "loss computed on cuda")
        loss.backward()
        on_cpu(x.grad, "x.grad (x lives on the cpu)")
        np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])

        g = tg.tensor([1.0, 2.0], device="cuda", requires_grad=True)
        (g.cpu() * 3).sum().backward()
        on_cuda(g.grad, "g.grad (g lives on cuda, the loss on cpu)")
        np.testing.assert_allclose(host(g.grad), [3.0, 3.0])

    def test_retain_grad_hooks_and_autograd_grad_on_cuda(self) -> None:
        x = tg.tensor([1.0, 2.0], device="cuda", requires_grad=True)
        h = x * 3
        h.retain_grad()
        seen = []
        h.register_hook(lambda g: seen.append(g.device))
        (h * h).sum().backward()
        on_cuda(h.grad, "retained grad")
        assert seen == [CUDA0]
        (gx,) = tg.autograd.grad((x * x).sum(), x)
        on_cuda(gx, "autograd.grad result")

    def test_backward_with_a_gradient_argument(self) -> None:
        x = tg.tensor([1.0, 2.0], device="cuda", requires_grad=True)
        y = x * 2
        y.backward(tg.tensor([1.0, 10.0], device="cuda"))
        np.testing.assert_allclose(host(x.grad), [2.0, 20.0])
        with pytest.raises(RuntimeError, match="invalid gradient at index 0 - expected device "
                                               "cuda:0 but got cpu"):
            (x * 2).backward(tg.tensor([1.0, 1.0]))

    def test_sgd_step_in_place_under_no_grad_stays_on_cuda(self) -> None:
        w = tg.randn(3, 2, device="cuda", requires_grad=True)
        before = host(w)
        (w * w).sum().backward()
        with tg.no_grad():
            w -= 0.1 * w.grad
        on_cuda(w, "w after w -= lr * w.grad")
        close(host(w), before * 0.8, "w - 0.1 * 2w")
        w.grad = None

    @pytest.mark.parametrize("name, fn, arrays", OPS, ids=[o[0] for o in OPS])
    def test_op_families_match_the_cpu(self, name: str, fn: Callable, arrays: list) -> None:
        cpu = [tg.tensor(a, requires_grad=True) for a in arrays]
        gpu = [tg.tensor(a, device="cuda", requires_grad=True) for a in arrays]
        out_c, out_g = fn(*cpu), fn(*gpu)
        on_cuda(out_g, f"{name}: output")
        close(host(out_g), out_c.detach().numpy(), f"{name}: values on cuda differ from cpu")
        seed = np.random.default_rng(5).standard_normal(tuple(out_c.shape)).astype(np.float32)
        out_c.backward(tg.tensor(seed))
        out_g.backward(tg.tensor(seed, device="cuda"))
        for i, (c, g) in enumerate(zip(cpu, gpu, strict=True)):
            if c.grad is None:
                assert g.grad is None, f"{name}: input {i} got a grad on cuda only"
                continue
            on_cuda(g.grad, f"{name}: grad of input {i}")
            close(host(g.grad), c.grad.numpy(), f"{name}: grad of input {i} on cuda differs")

    def test_comparisons_and_argmax_stay_on_cuda(self) -> None:
        a = tg.tensor([[1.0, 5.0], [3.0, 2.0]], device="cuda")
        for t, what in [(a > 2, ">"), (a == a, "=="), (a <= 2.0, "<="), (~(a > 2), "~"),
                        ((a > 1) & (a < 4), "&"), (a.argmax(), "argmax()"),
                        (a.argmax(dim=1), "argmax(dim)"), (a.argmin(), "argmin()"),
                        (a.max(dim=0).indices, "max(dim).indices"), ((a > 2).any(), "any"),
                        (a.eq(a).all(), "all")]:
            on_cuda(t, what)
        assert a.argmax().item() == 1 and a.argmax().dtype == tg.int64
        assert a.equal(a) and a.allclose(a + 1e-9)

    def test_index_with_cpu_index_tensor(self) -> None:
        """PyTorch accepts CPU index tensors for a CUDA tensor (and lists, and numpy arrays)."""
        a = tg.arange(6.0, device="cuda").reshape(2, 3)
        for key in (tg.tensor([2, 0]), [2, 0], np.array([2, 0]), tg.tensor([2, 0], device="cuda")):
            r = a[:, key]
            on_cuda(r, f"a[:, {type(key).__name__}]")
            assert r.tolist() == [[2.0, 0.0], [5.0, 3.0]]
        a[tg.tensor([0]), 0] = 9.0
        assert a.tolist()[0][0] == 9.0

    def test_cuda_index_into_cpu_tensor_raises(self) -> None:
        with pytest.raises(RuntimeError, match="indices should be either on cpu or on the same "
                                               "device as the indexed tensor"):
            tg.arange(4.0)[tg.tensor([1], device="cuda")]

    # ---------------------------------------------------------------- mixing devices
    @pytest.mark.parametrize("what, fn", [
        ("add", lambda c, g: c + g),
        ("mul (cuda first)", lambda c, g: g * c),
        ("matmul", lambda c, g: g @ c.reshape(2, 1)),
        ("cat", lambda c, g: tg.cat([g, c])),
        ("stack", lambda c, g: tg.stack([c, g])),
        ("where", lambda c, g: tg.where(g > 0, g, c)),
        ("where condition", lambda c, g: tg.where(c > 0, g, g)),
        ("maximum", lambda c, g: c.maximum(g)),
        ("==", lambda c, g: c == g),
        ("<", lambda c, g: g < c),
        ("equal", lambda c, g: g.equal(c)),
        ("allclose", lambda c, g: c.allclose(g)),
        ("in-place add_", lambda c, g: c.add_(g)),
        ("in-place mul_ on cuda", lambda c, g: g.mul_(c)),
        ("setitem", lambda c, g: c.__setitem__(slice(None), g * 1)),
    ])
    def test_mixing_devices_raises_naming_both(self, what: str, fn: Callable) -> None:
        c = tg.tensor([1.0, 2.0])
        g = tg.tensor([3.0, 4.0], device="cuda")
        with pytest.raises(RuntimeError, match=MISMATCH) as err:
            fn(c, g)
        assert "cpu" in str(err.value) and "cuda:0" in str(err.value), (
            f"{what}: the error should name both devices: {err.value}"
        )

    def test_mixing_devices_under_autograd_raises_too(self) -> None:
        w = tg.randn(2, 2, device="cuda", requires_grad=True)
        x = tg.randn(3, 2)
        with pytest.raises(RuntimeError, match=MISMATCH):
            x @ w

    def test_a_cpu_scalar_tensor_may_join_a_cuda_op(self) -> None:
        """PyTorch treats 0-d CPU tensors like numbers: they combine with CUDA tensors."""
        g = tg.tensor([1.0, 2.0], device="cuda", requires_grad=True)
        s = tg.tensor(3.0, requires_grad=True)
        y = g * s
        on_cuda(y, "cuda tensor * cpu 0-d tensor")
        y.sum().backward()
        on_cpu(s.grad, "grad of the cpu scalar")
        np.testing.assert_allclose(s.grad.numpy(), 3.0)
        on_cuda(g.grad, "grad of the cuda tensor")
        on_cuda(g > tg.tensor(1.5), "comparison with a cpu scalar")
        with tg.no_grad():
            g.add_(tg.tensor(1.0))
        on_cuda(g, "in-place add of a cpu scalar")
        with pytest.raises(RuntimeError, match=MISMATCH):  # but not the other way round
            tg.tensor([1.0, 2.0]) + tg.tensor(1.0, device="cuda")

    def test_copy_moves_across_devices(self) -> None:
        """``copy_`` is the one in-place op that may read from another device (as in PyTorch)."""
        g = tg.zeros(2, device="cuda")
        g.copy_(tg.tensor([1.0, 2.0]))
        on_cuda(g, "cuda.copy_(cpu)")
        assert g.tolist() == [1.0, 2.0]

    def test_synchronize_and_availability(self) -> None:
        assert tg.cuda.is_available() and tg.cuda.device_count() >= 1
        assert tg.cuda.default_device() == "cuda"
        tg.cuda.synchronize()
        assert tg.zeros(1, device=tg.cuda.default_device()).is_cuda

    def test_invalid_device_ordinal(self) -> None:
        n = tg.cuda.device_count()
        with pytest.raises(RuntimeError, match="invalid device ordinal"):
            tg.zeros(1, device=f"cuda:{n}")


class TestOnFakeCuda(DeviceSemantics):
    """The rules on the fake GPU (runs everywhere)."""

    @pytest.fixture
    def cuda_backend(self, fake_cuda: Any) -> Any:
        return fake_cuda

    def test_to_self_makes_no_copies(self) -> None:
        g = tg.tensor([1.0, 2.0], device="cuda")
        before = (self.backend.copies_to_device, self.backend.copies_to_host)
        g.to("cuda")
        g.cuda()
        g.to(CUDA0)
        assert (self.backend.copies_to_device, self.backend.copies_to_host) == before
        g.cpu()
        assert self.backend.copies_to_host == before[1] + 1

    def test_synchronize_reaches_the_backend(self) -> None:
        tg.cuda.synchronize()
        assert self.backend.synchronized == 1

    def test_the_fake_is_as_strict_as_cupy(self) -> None:
        """A fake-GPU array refuses plain NumPy arrays and never decays to a NumPy scalar."""
        g = tg.tensor([[1.0, 2.0]], device="cuda").array
        with pytest.raises(TypeError, match="Unsupported type"):
            g + np.ones(2)
        with pytest.raises(TypeError, match="Unsupported type"):
            np.concatenate([g, np.ones((1, 2))])
        for r in (g[0, 1], g.sum(), g.argmax(), g.max(), np.exp(g)[0, 0]):
            assert isinstance(r, type(g)) and r.ndim == 0
