"""``Function``: one differentiable operation, with a forward and a backward.

Exactly like ``torch.autograd.Function``::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)        # remember what backward needs
            return y

        @staticmethod
        def backward(ctx, grad_output):     # d(exp x)/dx = exp x
            (y,) = ctx.saved_tensors
            return grad_output * y

    y = Exp.apply(x)                        # y.grad_fn is the ctx: <ExpBackward>

``apply`` runs ``forward`` and, when any input requires grad, makes ``ctx`` the **backward node**
of the result: it remembers the inputs and the nodes that produced them (the graph's edges).

Your own Functions receive and return Tensors. The built-in ops in ``tinygrad_edu/ops`` set
``array_io = True``: they receive and return the raw NumPy/CuPy arrays, like PyTorch's C++
kernels, which keeps each op to a few microseconds. The math reads the same either way.

**The contract of a built-in op's backward (so higher-order gradients work).** Normally the
engine calls ``backward`` with arrays. Under ``create_graph=True`` it calls the *same*
``backward`` with Tensors: ``grad`` is a Tensor, ``ctx.saved_tensors`` gives back the Tensors
the arrays came from (a saved input -> that input, the saved output -> the output, anything
else -> a constant) and ``array_module(grad)`` is a small NumPy-like namespace of
differentiable Tensor functions (``autograd/tensor_xp.py``). So a backward may use only

* arithmetic operators (``+ - * / ** @``, comparisons, ``~``) and indexing ``g[key]``,
* array methods that Tensor also has (``reshape``, ``sum(axis=, keepdims=)``, ``swapaxes``,
  ``.T``, ``ndim``, ``shape``; not ``size``/``astype``/``copy``, which differ or are missing),
* functions of ``xp = array_module(grad)`` that ``autograd/tensor_xp.py`` also defines
  (``where``, ``exp``, ``log``, ``log1p``, ``sin``, ``cos``, ``maximum``, ``moveaxis``,
  ``flip``, ``roll``, ``cumsum``, ``cumprod``, ``concatenate``, ``take_along_axis``, masks such
  as ``isfinite``, constants such as ``zeros``, ... see its methods), and
  ``select(keep, grad)`` (``autograd/select.py``: ``where(keep, grad, 0)``, fast on arrays)
  for masked gradients;

and what forward saves must be inputs, the output, or non-differentiable masks/indices
(recompute derived values in backward; keep shapes and numbers as ctx attributes). An op whose
fast backward needs a costly derived value (layer norm's normalized x) may save it and define
``saved_from_inputs(ctx, *inputs)``, which recomputes the saved tuple from the input Tensors
with differentiable ops; a create_graph backward then uses that instead. An op that cannot
follow the contract sets ``create_graph = False``: ``create_graph=True`` then raises; or it
gives a second backward written with Tensor ops, ``backward_on_tensors(ctx, grad, *inputs)``
(the convolution: ``ops/conv_double.py``).
Tests: ``tests/test_double_backward.py`` checks every op's double backward against PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..device import array_module
from .anomaly import record_forward
from .grad_mode import _GradMode, no_grad

_FREED = "freed"
FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling backward."
)


class Function:
    """Base class of every differentiable operation. Subclass it and write forward/backward."""

    array_io = False  # built-in ops compute on raw arrays; learners' Functions on Tensors
    backward_suffix = ""  # PyTorch calls built-ins "MulBackward0", custom ones "ExpBackward"

    # What the instance (the ctx / backward node) holds; class attributes are the defaults.
    inputs: tuple = ()  # the input Tensors (None for non-tensor arguments)
    next_nodes: tuple = ()  # the node behind each input: its grad_fn, its AccumulateGrad, or None
    _saved: Any = ()
    _clock = 0  # the in-place clock when forward saved its values
    _hooks: list | None = None  # hooks registered on this node's output tensor
    _retain: Any = None  # weakref to the output tensor when it called retain_grad()
    _output: Any = None  # the output tensor, once it is changed in place (exp saves its output)
    _out_id = 0  # id() of the output array, to tell a saved output from a saved input or mask
    materialize_grads = True
    elementwise = False  # True: the result has PyTorch's result_type of the inputs (+, *, where)
    # PyTorch's names for the arguments and saved values (grad_fn._saved_self, _saved_other...),
    # used by the graph pictures (viz/saved.py). A saved input or output is recognised by
    # identity; saved_names names what is neither (a mask, indices), one entry per saved value.
    input_names: tuple[str, ...] = ("self", "other")
    saved_names: tuple[str, ...] = ()
    wraps_numbers = False  # True: next_functions lists (None, 0) for a number operand (x * 2)
    _op_name = "Function"  # the op's own class name (node classes are named "MulBackward0")
    mask_from_saved = False  # True: backward uses saved tensors only as a mask (relu), see below
    # True: PyTorch's backward formula takes the input, so even where the gradient does not depend
    # on it (pooling, padding: linear ops) it stays attached to it, with a derivative of 0.
    grad_tracks_input = False
    create_graph = True  # False: backward breaks the contract below; create_graph=True refuses
    backward_on_tensors: Any = None  # an op's own create_graph backward, on Tensors (conv)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give each op a node class named as PyTorch names it (``type(y.grad_fn).__name__`` is
        ``"MulBackward0"``): ``apply`` makes the ctx an instance of that subclass of the op."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_is_node"):
            return
        cls._op_name = cls.__name__
        _add_saved_names(cls)
        static = _static_name(cls)
        cls._node = _node_class(cls, cls.name() if static else cls.__name__)
        if not static and "apply" not in cls.__dict__:  # PowBackward0 or 1: named after forward
            cls.apply = classmethod(_apply_then_name)

    @staticmethod
    def forward(ctx: Function, *args: Any) -> Any:
        raise NotImplementedError("Write forward(ctx, *inputs) in your Function subclass.")

    @staticmethod
    def backward(ctx: Function, grad_output: Any) -> Any:
        raise NotImplementedError("Write backward(ctx, grad_output) in your Function subclass.")

    # ---------------------------------------------------------------- ctx API (used in forward)
    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` until backward; read them back from ``ctx.saved_tensors``."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is _FREED:
            raise RuntimeError(FREED_MESSAGE)
        return self._saved

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """One bool per input: does that input need a gradient? Skip work for the False ones."""
        return tuple(n is not None for n in self.next_nodes)

    def mark_non_differentiable(self, *outputs: Any) -> None:  # PyTorch API, nothing to do here
        return None

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    # ---------------------------------------------------------------- the graph node API
    @classmethod
    def name(cls) -> str:
        """The node's name as PyTorch prints it in ``grad_fn=<...>``."""
        return cls._op_name + ("Backward0" if cls.array_io else "Backward") + cls.backward_suffix

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    @property
    def next_functions(self) -> tuple:
        """PyTorch's view of the edges: ``((node, 0), (AccumulateGrad, 0), (None, 0))``.

        One entry per input that could carry a gradient: every floating-point tensor (``None``
        when it needs none), and the number of ``x * 2`` in the ops where PyTorch wraps it into a
        tensor (``wraps_numbers``). Dims, integer indices and bool masks are not listed.
        """
        wraps = self.wraps_numbers
        return tuple(
            (n, 0)
            for n, t in zip(self.next_nodes, self.inputs)
            if (t is None and wraps) or (t is not None and t.array.dtype.kind in "fc")
        )

    def register_hook(self, hook: Any) -> None:
        """Call ``hook(grad_output)`` when backward reaches this node (may return a new grad)."""
        self._hooks = (self._hooks or []) + [hook]

    def _free(self) -> None:
        if self._saved:
            self._saved = _FREED

    # ---------------------------------------------------------------- running forward
    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` on ``args`` and, when a gradient is needed, record the result's node.

        This runs for every operation, so it is written for speed: one pass over the arguments,
        no helper calls on the common path.
        """
        ctx = _new(cls._node)
        needs_grad = False
        array_type = dtype = None  # of the first tensor argument
        mixed = False  # tensors of several dtypes (NumPy and PyTorch may promote differently)
        raw, inputs, nodes = [], [], []  # per argument: its array, its Tensor, the node behind it
        for a in args:
            if isinstance(a, Tensor):
                data = a.array
                if array_type is None:
                    array_type, dtype = type(data), data.dtype
                elif type(data) is not array_type:
                    return _apply_across_devices(cls, args)
                elif data.dtype is not dtype:
                    mixed = True
                raw.append(data)
                inputs.append(a)
                if a._requires_grad:
                    needs_grad = True
                    nodes.append(a.grad_fn or a._accumulator or _new_accumulator(a))
                else:
                    nodes.append(None)
            else:
                raw.append(a)
                inputs.append(None)
                nodes.append(None)
        if needs_grad and _GradMode.enabled:  # record the edges first: forward may ask for them
            ctx.inputs, ctx.next_nodes = inputs, nodes
        else:
            needs_grad = False
        return _forward(cls, ctx, args, raw, array_type, dtype, mixed, needs_grad)

    # ---------------------------------------------------------------- running backward
    def _backward_arrays(self, grad: Any) -> Any:
        """Call ``backward`` and return one gradient array (or None) per input."""
        if self._clock != _InplaceClock.now and self._saved:
            self._check_versions()
        if self.array_io:
            grads = type(self).backward(self, grad)
            return grads if type(grads) is tuple else (grads,)
        with no_grad():
            grads = type(self).backward(self, Tensor._make(grad))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(self.inputs):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {len(self.inputs)}, got {len(grads)})"
            )
        return tuple(g.array if isinstance(g, Tensor) else g for g in grads)

    def _backward_tensors(self, grad: Any) -> tuple:
        """``create_graph=True``: call ``backward`` on Tensors, recording the ops it does.

        A built-in op's ``backward`` is the same code as in the fast path; it now sees Tensors:
        ``grad``, and ``ctx.saved_tensors`` mapped back to the Tensors they came from (an
        input -> that input, the output -> the output, anything else -> a constant), and
        ``array_module(grad)`` gives it differentiable ``where``, ``exp``, ... (``tensor_xp.py``).
        """
        if not self.create_graph:  # a wrong second derivative would be silent: refuse instead
            raise RuntimeError(f"{self.name()} does not support create_graph=True yet")
        if self._clock != _InplaceClock.now and self._saved:
            self._check_versions()
        if self._saved is _FREED:  # the recomputing paths below would not notice
            raise RuntimeError(FREED_MESSAGE)
        if self.backward_on_tensors is not None:  # conv: a backward written for Tensors
            return tuple(self.backward_on_tensors(grad, *self.inputs))
        saved = self._saved
        deps: list = []
        if self.array_io and saved:
            again = getattr(self, "saved_from_inputs", None)  # derived values, recomputed
            self._saved = again(*self.inputs) if again else self._saved_as_tensors()
            if self.mask_from_saved:
                deps = [t for t in self._saved if isinstance(t, Tensor) and t._requires_grad]
        try:
            grads = type(self).backward(self, grad)
        finally:
            self._saved = saved
        grads = grads if isinstance(grads, tuple) else (grads,)
        if not self.array_io and len(grads) != len(self.inputs):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {len(self.inputs)}, got {len(grads)})"
            )
        grads = tuple(g if g is None or isinstance(g, Tensor) else Tensor._make(g) for g in grads)
        if self.grad_tracks_input:
            deps = [t for t in self.inputs if t is not None and t._requires_grad]
        if deps:  # relu: the saved tensors entered only through a mask
            grads = tuple(
                g if g is None or g._requires_grad else MaskedDependence.apply(g, *deps)
                for g in grads
            )
        return grads

    def _saved_as_tensors(self) -> tuple:
        """The saved arrays as the Tensors they are: inputs, the output, or constants."""
        result = []
        for s in self._saved:
            if not hasattr(s, "shape"):  # a Python number or None
                result.append(s)
                continue
            t = next((t for t in self.inputs if t is not None and t.array is s), None)
            if t is None:
                t = _new(Tensor)
                t.array = s
                if id(s) == self._out_id:  # the output: a tensor made by this very node
                    t._requires_grad, t.grad_fn = True, self
            result.append(t)
        return tuple(result)

    def _check_versions(self) -> None:
        """PyTorch's rule: a value saved for backward must not be changed in place afterwards."""
        saved = self._saved if self._saved is not _FREED else ()
        for t in (*self.inputs, self._output):
            owner = t if t is None or t._base is None else t._base  # views share a version
            if t is None or not owner._bumps or owner._bumps[-1] <= self._clock:
                continue
            if any(t.array is s for s in saved):
                expected = owner._version - sum(1 for b in owner._bumps if b > self._clock)
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{t.dtype} {list(t.shape)}] is at version "
                    f"{owner._version}; "
                    f"expected version {expected} instead. Hint: the operation that failed was "
                    f"{self.name()}; replace the in-place op (add_, mul_, x[...] = ...) that "
                    "changed it with an out-of-place one, or .clone() it first."
                )


class _InplaceClock:
    """Counts in-place modifications; a node compares it with the count when it saved values."""

    now = 0

    @classmethod
    def tick(cls) -> int:
        cls.now += 1
        return cls.now


class AccumulateGrad:
    """The node at a leaf: backward ends here, adding the incoming gradient into ``leaf.grad``."""

    inputs: tuple = ()
    next_nodes: tuple = ()
    _hooks = None
    _retain = None

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    @staticmethod
    def name() -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    next_functions = ()

    def _free(self) -> None:
        return None


_NODE_CLASSES: dict = {}
_PLAIN_APPLY = Function.__dict__["apply"]


def _static_name(cls: type) -> bool:
    """True when the node's name is the same for every call (``name`` not overridden)."""
    return isinstance(cls.__dict__.get("name", Function.__dict__["name"]), classmethod) and all(
        isinstance(k.__dict__.get("name", Function.__dict__["name"]), classmethod)
        for k in cls.__mro__
        if issubclass(k, Function)
    )


def _apply_then_name(cls: Any, *args: Any) -> Any:
    """``apply`` of an op whose node name depends on its inputs (``x ** 2`` is PowBackward0,
    ``x ** y`` PowBackward1): run it, then give the node its class of that name."""
    out = Function.apply.__func__(cls, *args)
    node = getattr(out, "grad_fn", None)
    if node is not None and type(node) is cls._node:
        node.__class__ = _node_class(cls, node.name())
    return out


# Argument names of ops whose names are computed (MatMul: mm's mat2, mv's vec, dot's tensor).
_COMMON_SAVED_NAMES = ("self", "other", "result", "mat2", "vec", "tensor")


def _add_saved_names(cls: Any) -> None:
    """Give nodes PyTorch's ``_saved_<name>`` attributes (``y.grad_fn._saved_self``) for every
    argument name an op declares, as properties on Function: a ``__getattr__`` would slow down
    every attribute lookup on every node."""
    from .saved_by_name import saved_by_name

    declared = [cls.__dict__.get("input_names"), cls.__dict__.get("saved_names")]
    names = [n for group in declared if isinstance(group, (tuple, list)) for n in group]
    for name in (*_COMMON_SAVED_NAMES, *names):
        attr = f"_saved_{name}"
        if isinstance(name, str) and attr not in Function.__dict__:
            setattr(Function, attr, property(lambda node, name=name: saved_by_name(node, name)))


def _apply_and_record(cls: Any, *args: Any) -> Any:
    """``apply`` in anomaly mode: also remember where the forward was called."""
    out = _PLAIN_APPLY.__func__(cls, *args)
    node = getattr(out, "grad_fn", None)
    if node is not None and getattr(node, "_forward_trace", None) is None:
        record_forward(node)
    return out


def set_anomaly_recording(enabled: bool) -> None:
    """Anomaly mode swaps in an ``apply`` that records stacks (normal mode pays nothing)."""
    Function.apply = classmethod(_apply_and_record) if enabled else _PLAIN_APPLY


def _node_class(cls: type, name: str) -> type:
    """The subclass of op ``cls`` called ``name`` (e.g. ``MulBackward0``), made once."""
    node = _NODE_CLASSES.get((cls, name))
    if node is None:
        namespace = {"_is_node": True, "__module__": cls.__module__, "__qualname__": name}
        node = _NODE_CLASSES[(cls, name)] = type(name, (cls,), namespace)
    return node


def _new_accumulator(t: Any) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, made once and kept on the leaf."""
    t._accumulator = AccumulateGrad(t)
    return t._accumulator


def _as_array(out: Any, array_type: Any) -> Any:
    """NumPy turns 0-d results into scalars (np.float32(3.)); make them arrays again."""
    if isinstance(out, np.ndarray) or hasattr(out, "__cuda_array_interface__"):
        return out
    out = np.asarray(out)
    if (
        array_type is not None
        and array_type is not np.ndarray
        and issubclass(array_type, np.ndarray)
    ):
        out = out.view(array_type)  # keep a NumPy-subclass backend's type (the tests' fake cuda)
    return out


def _forward(
    cls: Any, ctx: Any, args: tuple, raw: list, array_type: Any, dtype: Any, mixed: bool,
    needs_grad: bool,
) -> Any:
    """``apply``'s second half: run ``forward`` on the arrays ``raw`` and wrap the result in a
    Tensor whose ``grad_fn`` is ``ctx`` when ``needs_grad`` (the node is already recorded)."""
    if cls.array_io:
        try:
            out = cls.forward(ctx, *raw)
        except (ValueError, IndexError) as exc:
            raise _explain(exc, args) from None
        if type(out) is not array_type or mixed or out.dtype is not dtype:
            out = _fix_result(cls, ctx, out, array_type, dtype, mixed, args)
    else:
        with no_grad():
            outs = cls.forward(ctx, *args)
        out = (outs if isinstance(outs, Tensor) else Tensor(outs)).array
    result = _new(Tensor)
    result.array = out
    if needs_grad:
        if ctx._saved:
            ctx._clock, ctx._out_id = _InplaceClock.now, id(out)
        result._requires_grad = True
        result.grad_fn = ctx
    return result


def _fix_result(
    cls: Any, ctx: Any, out: Any, array_type: Any, dtype: Any, mixed: bool, args: tuple
) -> Any:
    """The rare results that need a second look: a NumPy scalar from a 0-d op (an array again),
    or a dtype NumPy chose differently from PyTorch. If forward saved the result, save the fixed
    one instead, so the version check and double backward still recognise it as the output."""
    fixed = out if type(out) is array_type else _as_array(out, array_type)
    if mixed or fixed.dtype is not dtype:
        fixed = _pytorch_dtype(cls, fixed, args)
    if fixed is not out and ctx._saved:
        ctx._saved = tuple(fixed if s is out else s for s in ctx._saved)
    return fixed


def _explain(exc: Exception, args: tuple) -> Exception:
    """Turn NumPy's error into PyTorch's, naming the shapes involved."""
    message = str(exc)
    shapes = [tuple(a.shape) for a in args if isinstance(a, Tensor)]
    if "could not be broadcast" in message and len(shapes) >= 2:
        return RuntimeError(_broadcast_message(shapes[0], shapes[1]))
    if "could not broadcast" in message:  # x[key] = value that does not fit
        return RuntimeError(f"{message} (the value must broadcast to the indexed shape)")
    if "negative integer powers" in message:
        return RuntimeError("Integers to negative integer powers are not allowed.")
    if isinstance(exc, IndexError):
        return IndexError(message.replace("axis", "dimension"))
    return exc


def _broadcast_message(sa: tuple, sb: tuple) -> str:
    """PyTorch's message for shapes that cannot broadcast, naming the first clash from the right."""
    for i in range(1, max(len(sa), len(sb)) + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            return (
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {max(len(sa), len(sb)) - i} "
                f"(shapes {list(sa)} and {list(sb)} cannot broadcast)"
            )
    return f"shapes {list(sa)} and {list(sb)} cannot broadcast"


_new = object.__new__
_FLOAT64 = np.dtype(np.float64)
Tensor: Any = None  # set by tinygrad_edu.tensor once the class exists (avoids a circular import)


def _pytorch_dtype(cls: Any, out: Any, args: tuple) -> Any:
    """Where NumPy's result dtype differs from PyTorch's, use PyTorch's.

    * ``int64 * 2.5`` or ``exp(int64)``: NumPy says float64, PyTorch the default float (float32).
    * ``int32 + int64 0-dim``, ``float16 * float32 0-dim``: NumPy widens to the 0-dim tensor's
      dtype; PyTorch keeps the dtype of the tensor with dimensions (``result_type``).
    """
    from ..dtypes import get_default_dtype, result_type

    if any(isinstance(a, np.dtype) for a in args):  # x.to(float64) asked for this dtype
        return out
    if not cls.elementwise and out.dtype is not _FLOAT64:  # other ops differ on float64 ...
        first = next((a for a in args if isinstance(a, Tensor)), None)
        if out.dtype.kind != "f" or first is None or first.array.dtype.kind == "f":
            return out
        return out.astype(get_default_dtype().numpy)  # ... and on exp(uint8): float16 in NumPy
    want = result_type(*args)
    if out.dtype.kind == "f" and not want.is_floating_point:  # int / int, exp(int): a float
        want = get_default_dtype()
    return out if want.numpy == out.dtype else out.astype(want.numpy)


def _apply_across_devices(cls: Any, args: tuple) -> Any:
    """Inputs on two devices: PyTorch's rule. A 0-d CPU tensor counts as a number and may join
    an op on the GPU (it is moved there, through ``.to()``, so its gradient comes back to the
    CPU); any other mix raises the device-mismatch error."""
    from ..device import mismatch_error

    scalar = [isinstance(a, Tensor) and a.array.ndim == 0 and a.device.type == "cpu" for a in args]
    others = {a.device for a, s in zip(args, scalar) if isinstance(a, Tensor) and not s}
    if len(others) != 1 or next(iter(others)).type == "cpu":
        raise mismatch_error(a.device for a in args if isinstance(a, Tensor))
    target = next(iter(others))
    return cls.apply(*(a.to(target) if s else a for a, s in zip(args, scalar)))


class MaskedDependence(Function):
    """A gradient that depends on saved tensors only through a mask (relu's ``y > 0``) or a
    sign (abs). As in PyTorch it still requires grad, with a derivative of 0 with respect to
    them, so the second derivative of relu is 0, not an error. Ops opt in with
    ``mask_from_saved = True``; ``sign`` in ``tensor_xp`` uses it directly."""

    array_io = True

    @staticmethod
    def forward(ctx, g, *deps):
        ctx.shapes = [d.shape for d in deps]
        return g

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        return (grad, *(xp.zeros(shape, dtype=grad.dtype) for shape in ctx.shapes))
