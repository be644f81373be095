"""Issue #14's "Done when": hypothesis drives every op through the inputs that found its bugs.

For each op in ``UNARY``/``BINARY`` (every differentiable Tensor op, each written once against
the torch API), hypothesis draws:

* shapes with 0-d and zero-size dims, values from a small set (so ties and exact zeros are
  common), and non-contiguous layouts (a transposed or strided view);
* int and bool inputs (the result dtype, or PyTorch's exception type);
* a mask (relu/clamp/where/max/...) followed by a pole (``** -1``, sqrt, log) at its zeros;
* mixed basic/advanced index keys;
* an in-place change after the op (version-check parity).

Each case runs on tinygrad_edu and on PyTorch (``parity.same``): values (nan/inf included),
shapes, dtypes, ``requires_grad``, gradients and exception types must agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes
from parity import same

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

VALUES = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]  # ties and zeros are common


def _lib_of(x):
    import torch

    import tinygrad_edu as tg

    return torch if isinstance(x, torch.Tensor) else tg


UNARY = {
    "neg": lambda x: -x, "exp": lambda x: x.exp(), "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(), "tanh": lambda x: x.tanh(), "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(), "abs": lambda x: x.abs(), "pow2": lambda x: x**2,
    "pow-1": lambda x: x**-1, "pow_half": lambda x: x**0.5, "pow0": lambda x: x**0,
    "rpow": lambda x: 2.0**x, "rsub": lambda x: 1 - x, "rdiv": lambda x: 2.0 / x,
    "mul_number": lambda x: x * 3, "add_number": lambda x: x + 1.5,
    "clamp": lambda x: x.clamp(-0.5, 1.0), "clamp_min": lambda x: x.clamp(min=0.0),
    "sum": lambda x: x.sum(), "sum_last": lambda x: x.sum(-1), "mean": lambda x: x.mean(),
    "mean_keep": lambda x: x.mean(0, keepdim=True), "var": lambda x: x.var(),
    "std_last": lambda x: x.std(-1), "norm": lambda x: x.norm(), "norm1": lambda x: x.norm(p=1),
    "norm3_last": lambda x: x.norm(p=3, dim=-1), "norm_inf": lambda x: x.norm(p=float("inf")),
    "max": lambda x: x.max(), "min": lambda x: x.min(), "max_dim": lambda x: x.max(0),
    "min_last": lambda x: x.min(-1), "amax": lambda x: x.amax(), "amin_last": lambda x: x.amin(-1),
    "argmax": lambda x: x.argmax(), "argmin_last": lambda x: x.argmin(-1),
    "softmax": lambda x: x.softmax(-1), "log_softmax": lambda x: x.log_softmax(0),
    "reshape": lambda x: x.reshape(-1), "flatten": lambda x: x.flatten(),
    "unsqueeze": lambda x: x.unsqueeze(0), "squeeze": lambda x: x.squeeze(),
    "T": lambda x: x.T, "mT": lambda x: x.mT, "t": lambda x: x.t(),
    "transpose": lambda x: x.transpose(0, -1), "expand": lambda x: x.expand(2, *x.shape),
    "getitem_0": lambda x: x[0], "getitem_slice": lambda x: x[1:],
    "getitem_list": lambda x: x[[0, 0]], "getitem_mask": lambda x: x[x > 0],
    "clone": lambda x: x.clone(), "double": lambda x: x.double(), "long": lambda x: x.long(),
    "split": lambda x: x.split(1), "unbind": lambda x: x.unbind(), "chunk": lambda x: x.chunk(2),
    "cat_self": lambda x: _lib_of(x).cat([x, x]), "stack_self": lambda x: _lib_of(x).stack([x, x]),
    "where_self": lambda x: _lib_of(x).where(x > 0, x, 0.5), "matmul_T": lambda x: x @ x.mT,
    "dot_self": lambda x: x.dot(x), "any": lambda x: x.any(), "all": lambda x: x.all(),
    "logical_not": lambda x: x.logical_not(), "invert": lambda x: ~x,
}

BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a**b, "maximum": lambda a, b: a.maximum(b),
    "minimum": lambda a, b: a.minimum(b), "clamp_tensor": lambda a, b: a.clamp(min=b),
    "clamp_both": lambda a, b: a.clamp(min=b, max=b + 1), "lt": lambda a, b: a < b,
    "eq": lambda a, b: a == b, "where": lambda a, b: _lib_of(a).where(a > b, a, b),
    "matmul": lambda a, b: a @ b, "and": lambda a, b: a & b,
    "remainder": lambda a, b: a % b, "fmod": lambda a, b: a.fmod(b),
}


def _layout(array: np.ndarray, how: str) -> Any:
    """The same values in a different memory layout: C order, transposed, or strided."""
    if how == "transposed" and array.ndim >= 2:
        return np.ascontiguousarray(array.T).T
    if how == "strided" and array.ndim >= 1:
        wide = np.repeat(array, 2, axis=-1)
        return wide[..., ::2]
    return array


def _leaf(lib, array, dtype: str, layout: str):
    """A tensor with these values and dtype; float leaves require grad; non-contiguous
    layouts come from a view of a contiguous tensor (in both frameworks)."""
    import torch

    source = np.asarray(array).astype(dtype)
    if layout == "transposed" and source.ndim >= 2:
        t = lib.tensor(np.ascontiguousarray(source.T)).T
    elif layout == "strided" and source.ndim >= 1:
        t = lib.tensor(np.repeat(source, 2, axis=-1))[..., ::2]
    else:
        t = lib.tensor(source)
    if dtype.startswith("float"):
        t = t.detach().requires_grad_(True) if lib is not torch else t.detach().requires_grad_()
    return t


def _program(fn, arrays, dtype, layout, seed):
    def program(lib):
        leaves = [_leaf(lib, a, dtype, layout) for a in arrays]
        out = fn(*leaves)
        outs = out if isinstance(out, tuple) else (out,)
        grads = ()
        differentiable = [o for o in outs if o.requires_grad and o.numel()]
        if differentiable:
            rng = np.random.default_rng(seed)
            loss = sum((o * lib.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype)).sum()
                       for o in differentiable)
            loss.backward()
            grads = tuple(leaf.grad for leaf in leaves)
        return out, grads

    return program


values = st.sampled_from(VALUES)
awkward_shapes = array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
layouts = st.sampled_from(["contiguous", "transposed", "strided"])
seeds = st.integers(0, 2**16)


def _fill(draw, shape) -> np.ndarray:
    n = int(np.prod(shape))
    return np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=np.float64).reshape(
        shape)


@pytest.mark.parametrize("op", list(UNARY))
@SETTINGS
@given(data=st.data(), layout=layouts, seed=seeds)
def test_every_unary_op_on_awkward_inputs(op: str, data, layout: str, seed: int) -> None:
    """0-d, zero-size, ties, zeros, non-contiguous: same values, grads, errors as torch."""
    shape = data.draw(awkward_shapes, label="shape")
    x = _fill(data.draw, shape)
    same(_program(UNARY[op], [x], "float64", layout, seed), rtol=1e-9, atol=1e-12,
         check_names=False, what=f"{op} on shape {shape}, {layout}")


@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(data=st.data(), layout=layouts, seed=seeds)
def test_every_binary_op_on_awkward_inputs(op: str, data, layout: str, seed: int) -> None:
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                     min_side=0, max_side=3), label="shapes")
    arrays = [_fill(data.draw, s) for s in shapes.input_shapes]
    same(_program(BINARY[op], arrays, "float64", layout, seed), rtol=1e-9, atol=1e-12,
         check_names=False, what=f"{op} on shapes {shapes.input_shapes}, {layout}")


DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32"]


@pytest.mark.parametrize("op", list(UNARY))
@SETTINGS
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_every_unary_op_on_int_and_bool(op: str, data, dtype: str) -> None:
    """Integer and bool inputs: PyTorch's result dtype, or PyTorch's exception type."""
    shape = data.draw(array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3))
    x = np.abs(_fill(data.draw, shape))
    same(_program(UNARY[op], [x], dtype, "contiguous", 0), rtol=2e-3, atol=1e-3,
         check_names=False, what=f"{op} on {dtype}")


@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_every_binary_op_on_int_and_bool(op: str, data, dtype: str) -> None:
    shape = data.draw(array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3))
    a, b = np.abs(_fill(data.draw, shape)), np.abs(_fill(data.draw, shape))
    same(_program(BINARY[op], [a, b], dtype, "contiguous", 0), rtol=2e-3, atol=1e-3,
         check_names=False, what=f"{op} on {dtype}")


MASKS = {
    "relu": lambda x: x.relu(), "clamp": lambda x: x.clamp(min=0.0),
    "clamp_max": lambda x: x.clamp(max=1.0) - 1,
    "maximum": lambda x: x.maximum(_lib_of(x).zeros_like(x)),
    "where": lambda x: _lib_of(x).where(x > 0, x, _lib_of(x).zeros_like(x)),
    "max": lambda x: x.max(), "max_dim": lambda x: x.max(-1).values if x.ndim else x.max(),
    "abs": lambda x: x.abs(), "std": lambda x: x.std(-1) if x.ndim else x.std(),
    "norm": lambda x: x.norm(dim=-1) if x.ndim else x.norm(),
}  # amax: see test_amax_pole_is_a_documented_difference
POLES = {"pow-1": lambda y: y**-1, "sqrt": lambda y: y.sqrt(), "log": lambda y: y.log(),
         "pow-half": lambda y: y**-0.5}


@pytest.mark.parametrize("pole", list(POLES))
@pytest.mark.parametrize("mask", list(MASKS))
@SETTINGS
@given(data=st.data())
def test_poles_after_masks(mask: str, pole: str, data) -> None:
    """A pole right at a mask's zeros: masked places get exactly torch's gradient (0)."""
    shape = data.draw(array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4))
    x = _fill(data.draw, shape)

    def program(lib):
        leaf = lib.tensor(x, requires_grad=True)
        y = POLES[pole](MASKS[mask](leaf))
        finite_weight = lib.tensor(np.ones(tuple(y.shape)))
        (y * finite_weight).sum().backward()
        return y, leaf.grad

    same(program, rtol=1e-9, atol=1e-12, check_names=False, what=f"{mask} then {pole}")


@st.composite
def mixed_keys(draw, shape):
    """An index key mixing ints, slices, None, ``...``, int lists and bool masks."""
    parts, dim = [], 0
    used_ellipsis = False
    while dim < len(shape):
        n = shape[dim]
        kind = draw(st.sampled_from(["int", "slice", "none", "list", "mask", "ellipsis", "stop"]))
        if kind == "stop":
            break
        if kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            step = draw(st.none() | st.integers(1, 3))
            parts.append(slice(start, stop, step))
        elif kind == "none":
            parts.append(None)
            continue
        elif kind == "list":
            parts.append(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=3)))
        elif kind == "mask":
            parts.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        elif kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            parts.append(Ellipsis)
            break
        dim += 1
    return tuple(parts)


def _key_for(lib, key):
    return tuple(lib.tensor(k) if isinstance(k, np.ndarray) else k for k in key)


@SETTINGS
@given(data=st.data(), seed=seeds)
def test_mixed_basic_and_advanced_indexing(data, seed: int) -> None:
    """Values, shape (torch's dim order), gradient (repeats add up) and errors of x[key]."""
    shape = data.draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    key = data.draw(mixed_keys(shape), label="key")
    x = _fill(data.draw, shape)
    same(_program(lambda t: t[_key_for(_lib_of(t), key)], [x], "float64", "contiguous", seed),
         rtol=1e-9, atol=1e-12, check_names=False, what=f"x{list(shape)}[{key}]")


INPLACE_AFTER = [op for op in UNARY if op not in (
    "argmax", "argmin_last", "any", "all", "logical_not", "invert", "long", "split", "unbind",
    "chunk", "max_dim", "min_last")]


@pytest.mark.parametrize("op", INPLACE_AFTER)
@pytest.mark.parametrize("changed", ["output", "input"])
def test_inplace_after_every_op_matches_torch_version_check(op: str, changed: str) -> None:
    """Changing an op's output (or input) in place, then backward: refused exactly where
    PyTorch refuses (the op saved that tensor), else the same gradients."""
    x0 = np.array([[0.5, 2.0, 1.0], [3.0, 0.25, 2.5]])

    def program(lib):
        x = lib.tensor(x0, requires_grad=True)
        h = x * 1
        y = UNARY[op](h)
        target = y if changed == "output" else h
        target.add_(1)
        (y * y).sum().backward()
        return x.grad

    same(program, rtol=1e-9, atol=1e-12, check_names=False, what=f"{op}: {changed} changed")


def test_amax_pole_is_a_documented_difference() -> None:
    """Deliberate difference: PyTorch's amax/amin backward *multiplies* by the winner mask
    (``grad / count * mask``), so an infinite incoming gradient gives ``inf * 0 = nan`` at the
    other elements. We select (the house rule for masked gradients): they get exactly 0.
    max()/max(dim) select in PyTorch too, and there we agree."""
    import torch

    import tinygrad_edu as tg

    ours = tg.tensor([-1.0, 0.0], requires_grad=True)
    ours.amax().sqrt().backward()
    theirs = torch.tensor([-1.0, 0.0], requires_grad=True)
    theirs.amax().sqrt().backward()
    assert ours.grad.tolist() == [0.0, float("inf")]
    assert np.isnan(theirs.grad[0].item()) and theirs.grad[1].item() == float("inf")
