"""Containers: modules that hold other modules.

* ``Sequential(a, b, c)`` is a pipeline: ``forward(x)`` is ``c(b(a(x)))``. Children are named
  ``"0"``, ``"1"``, ... (so parameters are ``"0.weight"``), or by the keys of an OrderedDict.
* ``ModuleList([...])`` is a Python list that registers its modules (a plain list would hide
  them from ``parameters()``); you write the forward yourself.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from .module import Module


class Sequential(Module):
    """Chain modules: the output of each is the input of the next.

    >>> from tinygrad_edu.nn import Linear, ReLU
    >>> Sequential(Linear(2, 16), ReLU())
    Sequential(
      (0): Linear(in_features=2, out_features=16, bias=True)
      (1): ReLU()
    )
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input: Any) -> Any:  # noqa: A002
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(list(self._modules)[_index(idx, len(self))], module)

    def __delitem__(self, idx: int) -> None:
        del self._modules[list(self._modules)[_index(idx, len(self))]]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent can see.

    >>> from tinygrad_edu.nn import Linear
    >>> layers = ModuleList([Linear(4, 4) for _ in range(3)])
    >>> len(list(layers.parameters()))
    6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self)))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(_index(idx, len(self))), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError(
            "ModuleList has no forward: loop over it in your own module's forward, e.g. "
            "`for layer in self.layers: x = layer(x)`"
        )


class ModuleDict(Module):
    """A dict of modules whose parameters the parent can see (keys are the names).

    >>> from tinygrad_edu.nn import Linear, ReLU
    >>> heads = ModuleDict({"act": ReLU(), "out": Linear(4, 2)})
    >>> list(heads.keys()), [n for n, _ in heads.named_parameters()]
    (['act', 'out'], ['out.weight', 'out.bias'])
    """

    def __init__(self, modules: Any = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        self._modules.clear()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def keys(self) -> Any:
        return self._modules.keys()

    def items(self) -> Any:
        return self._modules.items()

    def values(self) -> Any:
        return self._modules.values()

    def update(self, modules: Any) -> None:
        """Add (name, module) pairs from a dict, a ModuleDict or an iterable of pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward: pick a module by its key, e.g. "
                                  "`self.heads[name](x)`")


def _index(idx: int, n: int) -> int:
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range")
    return idx % n
