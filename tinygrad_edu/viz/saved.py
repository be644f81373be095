"""What each operation saved for backward, under PyTorch's names.

PyTorch exposes a backward node's saved values as attributes named after the operation's
arguments: ``(x * w).grad_fn._saved_self`` and ``._saved_other``, ``(x ** 2).grad_fn.
_saved_exponent``, ``x.exp().grad_fn._saved_result`` (the output itself). The picture uses
the same names, found from the operation itself, never from a list of ops kept here:

1. a saved array that *is* an input's array is named after that argument: the Function's
   ``input_names`` (default ``("self", "other")``; ``Pow`` says ``("self", "exponent")``);
2. one that is the output's array is ``result``;
3. a plain number saved for an argument passed as a number (``x ** 2``) takes that
   argument's name;
4. anything else (a mask, indices) takes the Function's ``saved_names`` entry, if it
   declares one, else ``saved[i]``.

>>> import tinygrad_edu as tg
>>> x = tg.tensor([2.0, 3.0], requires_grad=True)
>>> y = x ** 2
>>> [name for name, _ in saved_values(y.grad_fn, y)]
['self', 'exponent']
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.viz.labels import is_tensor, raw

DEFAULT_INPUT_NAMES = ("self", "other")


def input_names(op: Any) -> list[str]:
    """PyTorch's argument names for ``op``'s inputs, one per input (``input2`` past the end)."""
    names = tuple(getattr(op, "input_names", None) or DEFAULT_INPUT_NAMES)
    return [names[j] if j < len(names) else f"input{j}" for j in range(len(op.inputs))]


def saved_values(op: Any, output: Any = None) -> list[tuple[str, Any]]:
    """``(name, value)`` for each value ``op`` saved (``None`` entries skipped).

    Raises ``RuntimeError`` when backward has already freed them (PyTorch's rule).
    """
    saved = op.saved_tensors or ()
    arg_names = input_names(op)
    declared = tuple(getattr(op, "saved_names", None) or ())
    inputs = [raw(t) if t is not None else None for t in op.inputs]
    out = raw(output) if output is not None else None
    used: set[int] = set()
    named = []
    for i, value in enumerate(saved):
        if value is None:
            continue
        array = raw(value)
        name = None
        for j, inp in enumerate(inputs):
            if j not in used and inp is not None and inp is array:
                name = arg_names[j]
                used.add(j)
                break
        if name is None and out is not None and array is out:
            name = "result"
        if name is None and not hasattr(array, "shape") and not is_tensor(value):
            for j, inp in enumerate(inputs):  # a number, saved for an argument given as one
                if j not in used and inp is None:
                    name = arg_names[j]
                    used.add(j)
                    break
        if name is None:
            name = declared[i] if i < len(declared) else f"saved[{i}]"
        named.append((name, value))
    return named
