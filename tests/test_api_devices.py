"""Every op added for issue #15 also runs on the ``cuda`` device (here the simulated GPU of
``tinygrad_edu/simulated_gpu.py``; ``test_device_gpu.py`` reruns the same table with CuPy on a
real GPU): same values and gradients as on the CPU, results and gradients on the GPU."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_device_semantics import close, host, on_cuda

import tinygrad_edu as tg

rng = np.random.default_rng(0)
x34 = rng.standard_normal((3, 4)).astype(np.float32)
p34 = (np.abs(x34) + 0.5).astype(np.float32)
v4 = rng.standard_normal(4).astype(np.float32)
b234 = rng.standard_normal((2, 3, 4)).astype(np.float32)
b242 = rng.standard_normal((2, 4, 2)).astype(np.float32)
IDX = np.array([[0, 3], [1, 1], [2, 0]])


def idx(a: tg.Tensor) -> tg.Tensor:
    return tg.tensor(IDX, device=a.device)


OPS: list[tuple[str, Callable, list[np.ndarray]]] = [
    ("sin cos tan", lambda a: a.sin() + a.cos() * 2 + (a * 0.3).tan(), [x34]),
    ("log1p expm1 erf", lambda a: a.log1p() + a.expm1() + a.erf(), [p34]),
    ("rsqrt reciprocal square", lambda a: a.rsqrt() + a.reciprocal() + a.square(), [p34]),
    ("floor ceil round trunc sign", lambda a: a * 2 + a.floor() + a.ceil() + a.round(1)
     + a.trunc() + a.sign(), [x34]),
    ("% and //", lambda a, b: a % b + (a // b).detach(), [x34, p34]),
    ("prod cumsum cumprod", lambda a: a.prod(1).sum() + a.cumsum(0) + a.cumprod(1), [p34]),
    ("logsumexp amin amax", lambda a: a.logsumexp(1) + a.amin(1) + a.amax(1), [x34]),
    ("var std correction", lambda a: a.var(1, correction=0) + a.std(0).sum(), [x34]),
    ("sort topk median", lambda a: a.sort(1).values.sum(0) + a.topk(2, dim=0).values.sum(0)
     + a.median(0).values, [x34]),
    ("gather index_select", lambda a: a.gather(1, idx(a)).sum() + a.index_select(
        0, tg.tensor([2, 0, 2], device=a.device)).sum(0), [x34]),
    ("scatter scatter_add", lambda a, b: a.scatter(1, idx(a)[:, :1], b[:, :1])
     + a.scatter_add(1, idx(a), b[:, :2]), [x34, p34]),
    ("masked_fill masked_select", lambda a: a.masked_fill(a > 0, 0.5).sum()
     + a.masked_select(a < 0).sum(), [x34]),
    ("flip roll repeat tile", lambda a: a.flip(0).sum() + a.roll(1, 1).sum() + a.repeat(2, 1)
     .sum() + a.tile(2).sum(), [x34]),
    ("repeat_interleave narrow", lambda a: a.repeat_interleave(2, dim=0).sum()
     + a.narrow(1, 1, 2).sum(), [x34]),
    ("tril triu diag", lambda a: a.tril() + a.triu(1) + a[:, :3].diag().sum()
     + a[0].diag()[:3], [x34]),
    ("outer mv bmm", lambda a, v, b, c: tg.outer(v, v).sum() + a.mv(v).sum()
     + tg.bmm(b, c).sum(), [x34, v4, b234, b242]),
    ("einsum", lambda a, b, c: tg.einsum("ij,jk->ik", a, a.t()).sum()
     + tg.einsum("bij,bjk->bik", b, c).sum(), [x34, b234, b242]),
    ("split chunk", lambda a: a.split([1, 3], 1)[1].sum() + a.chunk(2)[0].sum(), [x34]),
    ("mse bce losses", lambda a, b: tg.nn.functional.mse_loss(a, b)
     + tg.nn.functional.binary_cross_entropy_with_logits(a, b * 0.1), [x34, p34]),
]


@pytest.mark.parametrize("name, fn, arrays", OPS, ids=[o[0] for o in OPS])
def test_new_ops_on_the_gpu_match_the_cpu(fake_cuda: Any, name: str, fn: Callable,
                                          arrays: list) -> None:
    check_op_on_gpu(name, fn, arrays)


def check_op_on_gpu(name: str, fn: Callable, arrays: list) -> None:
    """``fn`` on cuda tensors gives the CPU's values and gradients, and keeps them on cuda."""
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


def test_no_grad_results_stay_on_the_gpu(fake_cuda: Any) -> None:
    a = tg.tensor(x34, device="cuda")
    for out in (a.isnan(), a.isclose(a), a.logical_and(a > 0), a.argsort(), a.nonzero(),
                a.unique(), a.sort().indices, tg.multinomial(a.abs(), 2), a.bernoulli(0.5),
                tg.nn.functional.one_hot(tg.tensor([1, 0], device="cuda"), 3),
                a.new_zeros(2), a.type(tg.float64), a.floor_divide(2.0)):
        on_cuda(out, "a result computed from a cuda tensor")
    assert a.type() == "torch.cuda.FloatTensor"
    assert a.stride() == (4, 1) and a.element_size() == 4
