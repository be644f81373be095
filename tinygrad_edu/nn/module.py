"""``Module``: the base class of every layer and every model.

A module is an object that

* **owns parameters**: assigning a ``Parameter`` to an attribute registers it;
* **owns submodules**: assigning a ``Module`` to an attribute registers it too, so a model is a
  tree and ``model.parameters()`` walks the whole tree;
* **computes** ``forward(x)``; calling the module, ``model(x)``, runs ``forward``.

>>> from tinygrad_edu.nn import Linear, Module
>>> class MLP(Module):
...     def __init__(self):
...         super().__init__()
...         self.fc1 = Linear(2, 16)     # registered as child "fc1"
...         self.fc2 = Linear(16, 1)
...     def forward(self, x):
...         return self.fc2(self.fc1(x).relu())
>>> [name for name, _ in MLP().named_parameters()]
['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']

Every parameter's ``.name`` is set to that path too (``fc1.weight``): the graph drawings in
``tinygrad_edu.viz`` use it to label leaves and to group operations by module.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator
from typing import Any

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .parameter import Parameter


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns; prints ``<All keys matched successfully>`` when empty."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


class Module:
    """Base class for all layers and models: subclass it, create layers in ``__init__``, write
    ``forward``."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        registries = self.__dict__.get("_parameters")
        if isinstance(value, (Parameter, Module)) and registries is None:
            raise AttributeError(
                f"cannot assign {'parameters' if isinstance(value, Parameter) else 'module'} "
                "before Module.__init__() call (call super().__init__() first in your __init__)"
            )
        if isinstance(value, Parameter):
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            self.add_module(name, value)
        elif registries is not None and name in self._parameters:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                    "(tinygrad_edu.nn.Parameter or None expected)"
                )
            self._parameters[name] = None
        elif registries is not None and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as child module '{name}' "
                    "(tinygrad_edu.nn.Module or None expected)"
                )
            self._modules[name] = None
        elif registries is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_type_name(value)}' as buffer '{name}' "
                                "(Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:  # only called when normal lookup fails
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter under ``name`` (what ``self.name = Parameter(...)`` does)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                "(tinygrad_edu.nn.Parameter or None required)"
            )
        self._forget(name)
        self._parameters[name] = param
        self._name_parameters()

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """A tensor that is part of the module's state (saved in state_dict) but not learned."""
        self._forget(name)
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what ``self.name = Linear(...)`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        self._forget(name)
        self._modules[name] = module
        self._name_parameters()

    register_module = add_module

    def _name_parameters(self) -> None:
        """Label every parameter below this module with its path, e.g. ``fc1.weight``.

        Run whenever something is attached; the outermost module is attached last, so its
        (longest) paths win.
        """
        for path, p in self.named_parameters(remove_duplicate=False):
            p.name = path

    # ------------------------------------------------------------------ walking the tree
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every module below it, with their paths ('' for self)."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                path = prefix + ("." if prefix else "") + name
                yield from child.named_modules(memo, path, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules, with their attribute names."""
        seen = set()
        for name, child in self._modules.items():
            if child is not None and child not in seen:
                seen.add(child)
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and value in seen):
                    continue
                seen.add(value)
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(path, parameter)`` pairs, e.g. ``("fc1.weight", Parameter ...)``."""
        for path, p in self._named_members("_parameters", prefix, recurse, remove_duplicate):
            if p.name is None or (path != p.name and path.endswith("." + p.name)):
                p.name = path  # a longer path than the label it has: the parent was added later
            yield path, p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every learnable tensor of the model: what you hand to an optimizer."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """``model.get_submodule("encoder.fc1")``."""
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first) and on self: handy for custom init."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Training mode (``training=True``): Dropout drops. Returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (``training=False``): Dropout does nothing. Same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward (they add up otherwise)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.array[...] = 0

    # ------------------------------------------------------------------ dtype and device
    def _apply(self, convert: Callable[[Tensor], Tensor]) -> Module:
        """Replace every parameter's and buffer's array by ``convert(tensor)``'s, in place."""
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None:
                    p.array = convert(p.detach()).array
                    if p._grad is not None:
                        p._grad = Tensor._make(convert(p._grad).array)
            for name, b in m._buffers.items():
                if b is not None:
                    m._buffers[name] = convert(b)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``model.to("cuda")``, ``model.to(tinygrad_edu.float64)``: converts in place."""
        def convert(t: Tensor) -> Tensor:  # integer buffers keep their dtype, as in PyTorch
            if t.is_floating_point():
                return t.to(*args, **kwargs)
            return t.to(*[a for a in args if not _is_dtype(a)], device=kwargs.get("device"))

        return self._apply(convert)

    def double(self) -> Module:
        from ..dtypes import float64

        return self._apply(lambda t: t.to(float64) if t.is_floating_point() else t)

    def float(self) -> Module:
        from ..dtypes import float32

        return self._apply(lambda t: t.to(float32) if t.is_floating_point() else t)

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Module:
        return self.to("cuda" if device is None else device)

    # ------------------------------------------------------------------ saving and loading
    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and buffer by path: ``{"fc1.weight": tensor(...), ...}``.

        PyTorch's order: a module's own parameters, then its buffers, then each child's. The
        tensors share memory with the model (detached unless ``keep_vars=True``); save them with
        ``tinygrad_edu.save(model.state_dict(), "model.npz")``.
        """
        out = OrderedDict() if destination is None else destination
        for registry in (self._parameters, self._buffers):
            for name, t in registry.items():
                if t is not None:
                    out[prefix + name] = t if keep_vars else t.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination=out, prefix=prefix + name + ".", keep_vars=keep_vars)
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> IncompatibleKeys:
        """Copy the tensors of ``state_dict`` into this model's parameters and buffers.

        With ``strict=True`` (the default) the keys must match exactly; a missing or unexpected key,
        or a tensor of the wrong shape, raises a RuntimeError that names it.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"Expected state_dict to be dict-like, got {_type_name(state_dict)}.")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in missing) + ". ")
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in unexpected) + ". ")
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                errors.append(f'While copying the parameter named "{key}", expected a Tensor '
                              f"from checkpoint but received {_type_name(value)}")
            elif tuple(value.shape) != tuple(target.shape):
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}."
                )
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for key, target in own.items():
                if key in state_dict:
                    target.copy_(state_dict[key])
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text between the parentheses, e.g. ``in_features=2, out_features=16, bias=True``."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): " + repr(child).replace("\n", "\n  ")
                    for name, child in self._modules.items()]
        if len(extra) == 1 and not children:
            return f"{type(self).__name__}({extra[0]})"
        if not extra and not children:
            return f"{type(self).__name__}()"
        return type(self).__name__ + "(\n  " + "\n  ".join(extra + children) + "\n)"

    def __dir__(self) -> list:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._modules)
                      | set(self._buffers))


def _type_name(value: Any) -> str:
    return type(value).__name__


def _is_dtype(x: Any) -> bool:
    from ..dtypes import dtype

    return isinstance(x, dtype)
