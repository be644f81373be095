"""The course's first examples run verbatim with ``import tinygrad_edu as torch``.

Each snippet is executed twice, once with ``torch`` bound to real PyTorch and once with
``torch`` bound to tinygrad_edu, and the two printed outputs must be identical, except for the
module name in reprs (``tinygrad_edu.float64`` vs ``torch.float64``) and object addresses
(``<PowBackward0 object at 0x7f...>``), which we normalise.
"""
from __future__ import annotations

import contextlib
import io
import re
import textwrap
from types import ModuleType

import pytest
import torch

import tinygrad_edu

SNIPPETS = {
    "print a tensor": """
        x = torch.tensor([1.0, 2.0, 3.0])
        print(x)
    """,
    "add two tensors": """
        x = torch.tensor([1.0, 2.0, 3.0])
        y = torch.tensor([4.0, 5.0, 6.0])
        z = x + y
        print(z)
    """,
    "backward with a gradient": """
        a = torch.tensor([2.0, 3.0], requires_grad=True)
        b = a ** 2
        print(b)
        b.backward(torch.tensor([1.0, 1.0]))
        print(a.grad)
    """,
    "dynamic graph, if branch": """
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        if x.sum() > 0:
            y = x * 2
        else:
            y = x / 2
        y.sum().backward()
        print(x.grad)
    """,
    "dynamic graph, else branch": """
        x = torch.tensor([-1.0, -2.0, 3.0], requires_grad=True)
        if x.sum() > 0:
            y = x * 2
        else:
            y = x / 2
        y.sum().backward()
        print(x.grad)
    """,
    "grad_fn of results": """
        a = torch.tensor([2.0, 3.0], requires_grad=True)
        b = a ** 2
        print(b)
        print(b.grad_fn)
        print(b.sum())
        print(a * 3)
        print(a + 1)
        print(a.is_leaf, b.is_leaf, b.requires_grad)
    """,
    "shapes and dtypes": """
        x = torch.tensor([[1, 2, 3], [4, 5, 6]])
        print(x)
        print(x.shape, x.dtype, x.ndim)
        print(x.size(), x.size(1))
        print(x.float())
        print(x.T)
        print(x.reshape(3, 2))
        print(x.sum(), x.sum(dim=0))
        print(x.float().mean(dim=1))
    """,
    "creation functions": """
        print(torch.zeros(2, 3))
        print(torch.ones(3))
        print(torch.arange(6).reshape(2, 3))
        print(torch.full((2, 2), 7.0))
        print(torch.eye(2))
        print(torch.tensor(3.5))
        print(torch.tensor([True, False]))
        print(torch.tensor([1.5, 2.0], dtype=torch.float64))
    """,
    "no_grad": """
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        with torch.no_grad():
            v = w * 2
        print(v, v.requires_grad)
        print(w.detach())
    """,
    "a tiny gradient descent step": """
        w = torch.tensor([0.5, -0.25], requires_grad=True)
        x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        target = torch.tensor([1.0, 0.0])
        for step in range(3):
            loss = ((x @ w - target) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.05 * w.grad
            w.grad.zero_()
            print(step, round(loss.item(), 4))
        print(w)
    """,
}


def run(snippet: str, module: ModuleType) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(snippet), {"torch": module})  # noqa: S102  the point of the test
    return out.getvalue()


def normalise(text: str) -> str:
    text = text.replace("tinygrad_edu.", "torch.")
    return re.sub(r" object at 0x[0-9a-fA-F]+>", " object>", text)


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_snippet_prints_what_pytorch_prints(name: str) -> None:
    expected = normalise(run(SNIPPETS[name], torch))
    got = normalise(run(SNIPPETS[name], tinygrad_edu))
    assert got == expected, (
        f"{name}: output differs from PyTorch's.\n--- PyTorch printed:\n{expected}"
        f"--- tinygrad_edu printed:\n{got}")


def test_the_readme_example_gives_4_6() -> None:
    got = run(SNIPPETS["backward with a gradient"], tinygrad_edu)
    assert got.splitlines()[-1] == "tensor([4., 6.])"
