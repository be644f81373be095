r"""``einsum``: products and sums of tensors written as index equations.

``einsum("ij,jk->ik", a, b)`` is $c_{ik} = \sum_j a_{ij} b_{jk}$: a letter shared by the inputs
but absent from the output is summed over; the output's letters give its dims, in order.
Without ``->`` the output is every letter used exactly once, in alphabetical order.

It is written with the ops we already have, so its gradient comes for free: two operands become
one batched matrix product (dims are sorted into batch / left / right / summed groups, permuted
and reshaped), one operand a permute and a sum. A letter repeated within one operand (``"ii->i"``,
``"ii->"``, the trace) takes a diagonal first; ``...`` stands for broadcast batch dims
(``"...ij,...jk->...ik"``).
"""

from __future__ import annotations

import string
from typing import Any

from .tensor import Tensor


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the letters missing from the output (see the module docstring)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    lhs, rhs = _parse(equation, operands)
    lhs, operands = zip(*(_diagonals(term, x, i) for i, (term, x) in enumerate(zip(lhs, operands))))
    lhs, operands = list(lhs), tuple(operands)
    sizes = _sizes(lhs, operands)
    if len(operands) == 1:
        return _single(lhs[0], rhs, operands[0])
    if len(operands) == 2:
        return _pair(lhs, rhs, operands, sizes)
    out, term = operands[0], lhs[0]
    for i in range(1, len(operands)):  # fold left, keeping the letters still needed
        later = set(rhs).union(*lhs[i + 1:])
        keep = "".join(c for c in dict.fromkeys(term + lhs[i]) if c in later)
        out, term = _pair([term, lhs[i]], keep, (out, operands[i]), sizes), keep
    return _single(term, rhs, out)


def _parse(equation: str, operands: tuple) -> tuple[list[str], str]:
    eq = equation.replace(" ", "")
    lhs_text, arrow, rhs = eq.partition("->")
    lhs = lhs_text.split(",")
    if not arrow:
        counts = {c: lhs_text.count(c) for c in lhs_text if c.isalpha()}
        rhs = ("..." if "..." in lhs_text else "") + "".join(
            sorted(c for c, n in counts.items() if n == 1))
    if "." in eq:
        lhs, rhs = _expand_ellipsis(lhs, rhs, operands)
        lhs_text = ",".join(lhs)
    if len(lhs) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(lhs) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    for i, (term, op) in enumerate(zip(lhs, operands)):
        if not isinstance(op, Tensor):
            raise TypeError(f"einsum(): operand {i} must be a Tensor, not {type(op).__name__}")
        if len(term) != op.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(term)}) does not match "
                f"the number of dimensions ({op.ndim}) for operand {i} and no ellipsis was given"
            )
    for c in rhs:
        if c not in lhs_text:
            raise RuntimeError(
                f"einsum(): output subscript {c} does not appear in the equation for any input "
                "operand"
            )
    return lhs, rhs


def _expand_ellipsis(lhs: list[str], rhs: str, operands: tuple) -> tuple[list[str], str]:
    """``...`` stands for the dims the letters do not name; they broadcast, right-aligned, like
    the batch dims of ``@``. Give them spare letters: ``"...ij"`` on a 4-D tensor is ``"ABij"``."""
    for i, term in enumerate(lhs):
        if term.count(".") not in (0, 3) or (term.count(".") == 3 and "..." not in term):
            raise RuntimeError(
                f"einsum(): found '.' for operand {i} that is not part of any ellipsis"
            )
    if rhs.count(".") not in (0, 3) or (rhs.count(".") == 3 and "..." not in rhs):
        raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was expected")
    used = set("".join(lhs) + rhs)
    spare = [c for c in string.ascii_letters if c not in used]
    counts = []
    for i, (term, op) in enumerate(zip(lhs, operands)):
        named = len(term.replace("...", ""))
        n = op.ndim - named if "..." in term and isinstance(op, Tensor) else 0
        if n < 0:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) is more than the "
                f"number of dimensions ({op.ndim}) for operand {i}"
            )
        counts.append(n)
    width = max(counts, default=0)
    letters = "".join(spare[:width])
    lhs = [t.replace("...", letters[width - n:]) for t, n in zip(lhs, counts)]
    return lhs, rhs.replace("...", letters)


def _diagonals(term: str, x: Tensor, index: int) -> tuple[str, Tensor]:
    """A letter repeated within one operand (``"ii"``) walks its diagonal: take it, one
    repeated letter at a time (``diagonal`` puts it last, so the letter moves to the end)."""
    while len(set(term)) != len(term):
        c = next(c for c in term if term.count(c) > 1)
        i = term.index(c)
        j = term.index(c, i + 1)
        if x.shape[i] != x.shape[j]:
            raise RuntimeError(
                f"einsum(): subscript {c} is repeated for operand {index} but the sizes don't "
                f"match, {x.shape[j]} != {x.shape[i]}"
            )
        x = x.diagonal(0, i, j)
        term = term[:i] + term[i + 1 : j] + term[j + 1 :] + c
    return term, x


def _sizes(lhs: list[str], operands: tuple) -> dict:
    sizes: dict = {}
    for i, (term, op) in enumerate(zip(lhs, operands)):
        for c, n in zip(term, op.shape):
            if sizes.get(c, n) != n and 1 not in (sizes[c], n):
                raise RuntimeError(
                    f"einsum(): operands do not broadcast: subscript {c} has size {sizes[c]} and "
                    f"size {n} (operand {i})"
                )
            sizes[c] = max(sizes.get(c, n), n)
    return sizes


def _single(term: str, rhs: str, x: Tensor) -> Tensor:
    """One operand: sum the letters not in the output, then put the rest in output order."""
    summed = tuple(i for i, c in enumerate(term) if c not in rhs)
    if summed:
        x = x.sum(dim=summed)
        term = "".join(c for c in term if c in rhs)
    order = [term.index(c) for c in rhs]
    return x.permute(order) if order != list(range(len(order))) else x


def _pair(lhs: list[str], rhs: str, operands: tuple, sizes: dict) -> Tensor:
    """Two operands as one batched matmul: (batch, left, sum) @ (batch, sum, right)."""
    (ta, tb), (a, b) = lhs, operands
    if not ta or not tb:  # a 0-d operand scales the other one: a plain product, as in PyTorch
        return _single(ta or tb, rhs, a * b)
    # A letter in only one operand and not in the output is summed away first.
    only_a = [c for c in ta if c not in tb and c not in rhs]
    only_b = [c for c in tb if c not in ta and c not in rhs]
    if only_a:
        a, ta = _single(ta, "".join(c for c in ta if c not in only_a), a), \
            "".join(c for c in ta if c not in only_a)
    if only_b:
        b, tb = _single(tb, "".join(c for c in tb if c not in only_b), b), \
            "".join(c for c in tb if c not in only_b)
    batch = [c for c in ta if c in tb and c in rhs]
    left = [c for c in ta if c not in tb]
    right = [c for c in tb if c not in ta]
    contracted = [c for c in ta if c in tb and c not in rhs]

    def size(letters: list) -> int:
        n = 1
        for c in letters:
            n *= sizes[c]
        return n

    def arrange(x: Tensor, term: str, groups: list) -> Tensor:
        order = [term.index(c) for group in groups for c in group]
        x = x.permute(order) if order != list(range(len(order))) else x
        full = tuple(sizes[c] for group in groups for c in group)
        if tuple(x.shape) != full:
            x = x.expand(full)  # a size-1 dim that broadcasts against the other operand
        return x.reshape(*(size(g) for g in groups))

    m = arrange(a, ta, [batch, left, contracted]) @ arrange(b, tb, [batch, contracted, right])
    out_letters = batch + left + right
    out = m.reshape(*(sizes[c] for c in out_letters))
    order = [out_letters.index(c) for c in rhs]
    return out.permute(order) if order != list(range(len(order))) else out
