"""``Optimizer``: the base class that owns the parameters and their per-parameter state.

The training loop is always the same five lines::

    optimizer.zero_grad()          # forget last step's gradients
    loss = loss_fn(model(x), y)    # forward
    loss.backward()                # fill p.grad for every parameter
    optimizer.step()               # p <- p - (something computed from p.grad)

Parameters are kept in ``param_groups`` (a list of dicts: ``{"params": [...], "lr": 0.1, ...}``),
so different groups can have different hyperparameters. ``state[p]`` holds what an optimizer
remembers between steps (momentum buffers, Adam's moving averages).
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor


class Optimizer:
    """Base class of SGD, Adam, AdamW. Subclasses implement ``step``."""

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {type(params).__name__} (pass model.parameters() or [tensor])"
            )
        self.defaults = defaults
        self.state: dict = {}
        self.param_groups: list[dict] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters, e.g. a new layer, with its own hyperparameters."""
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients (``p.grad = None``; with ``set_to_none=False``, fill with 0)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.array[...] = 0

    def step(self, closure: Callable | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given.

        The loop is the same for every optimizer; each one writes only its rule, ``update``.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                grad = -p._grad.array if group.get("maximize") else p._grad.array
                self.update(p, grad, group, self.state.setdefault(p, {}))
                mark_updated(p)
        return loss

    def update(self, p: Tensor, grad: Any, group: dict, state: dict) -> None:
        """Change ``p.array`` in place, given its gradient (an array), its group and its state."""
        raise NotImplementedError

    # ------------------------------------------------------------------ saving and loading
    def state_dict(self) -> dict:
        """``{"state": {index: {...}}, "param_groups": [{"lr": ..., "params": [indices]}]}``.

        Parameters are referred to by their position (0, 1, ...) in the groups, as in PyTorch,
        so the state can be loaded into an optimizer over a freshly built model.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            saved = {k: v for k, v in group.items() if k != "params"}
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        state = {index[id(p)]: {k: _detach(v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and state saved by ``state_dict()`` (copies the tensors)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of "
                    f"optimizer's group ({len(saved['params'])} saved vs {len(group['params'])})"
                )
        by_index = {}
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            by_index.update(zip(saved["params"], group["params"], strict=True))
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = {}
        for key, values in state_dict["state"].items():
            p = by_index[int(key)]
            self.state[p] = {k: _copy_to(v, p) for k, v in values.items()}

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"


def refuse_differentiable(differentiable: bool) -> None:
    """``differentiable=True`` (autograd through ``step()`` itself) is not implemented here."""
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported by tinygrad_edu's optimizers: step() updates "
            "the parameters' arrays in place, outside the graph"
        )


def mark_updated(p: Tensor) -> None:
    """Record an in-place update of ``p.array``, as PyTorch's version counter does.

    A graph built before the update saved the old weights; its backward now refuses to run
    ("modified by an inplace operation") instead of silently using the new ones.
    """
    p._mark_inplace()


def _detach(v: Any) -> Any:
    return v.detach() if isinstance(v, Tensor) else v


def _copy_to(v: Any, p: Tensor) -> Any:
    """A loaded state tensor, as a private copy with the parameter's dtype and device."""
    if isinstance(v, Tensor):
        return Tensor._make(v.to(p.device, p.dtype).array.copy())
    return copy.deepcopy(v)
