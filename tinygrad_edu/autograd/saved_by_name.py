"""``y.grad_fn._saved_self``: a node's saved values under PyTorch's names.

PyTorch names what a backward node keeps after the operation's arguments (``_saved_self``,
``_saved_other``, ``_saved_exponent``) or ``_saved_result`` for its own output. The pictures
(``viz/saved.py``) find these names already; this module hands the values out as PyTorch does:
an input comes back as that very tensor (``x is y.grad_fn._saved_self``), the output as an
equal tensor, a number as a number, and after backward freed them, PyTorch's error.
"""

from __future__ import annotations

from typing import Any


def saved_by_name(node: Any, name: str) -> Any:
    """The value ``node`` saved under ``name``; AttributeError if it saved nothing by that name.

    A name the operation has but did not keep (an argument it needs no copy of) is ``None``.
    """
    from ..creation import tensor
    from ..tensor import Tensor
    from ..viz.saved import input_names, saved_values

    known = {*input_names(node), "result", *(getattr(node, "saved_names", None) or ())}
    if name not in known:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{name}'")
    saved = node.saved_tensors  # raises PyTorch's error once backward freed them
    result = next((v for v in saved if v is not None and id(v) == node._out_id), None)
    for label, value in saved_values(node):
        if value is result and label.startswith("saved["):
            label = "result"
        if label != name:
            continue
        for arg in node.inputs:
            if arg is not None and arg.array is value:
                return arg
        if hasattr(value, "shape"):
            return Tensor._make(value)
        return tensor(value) if node.wraps_numbers else value  # x * 3 keeps tensor(3)
    if name == "result" and result is not None:
        return Tensor._make(result)
    return None  # an argument PyTorch names but this node did not need to keep
