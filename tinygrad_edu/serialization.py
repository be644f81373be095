"""``save`` and ``load``: write a state dict to disk and read it back, safely.

PyTorch's ``torch.save`` uses pickle, and unpickling a file can run any code its author wanted
(that is why ``torch.load`` now defaults to ``weights_only=True``). We never use pickle: a file
is a NumPy ``.npz`` archive holding

* one array per tensor (``t0``, ``t1``, ...), and
* ``__structure__``: JSON text describing the object (dicts, lists, numbers, strings), with each
  tensor replaced by ``{"__tensor__": "t0"}``.

Loading uses ``allow_pickle=False``, so a file with pickled objects in it is refused. Usage::

    tinygrad_edu.save(model.state_dict(), "model.npz")
    model.load_state_dict(tinygrad_edu.load("model.npz"))
"""
from __future__ import annotations

import json
import os
import pickle
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from .tensor import Tensor

_STRUCTURE = "__structure__"
_FORMAT = "tinygrad_edu.save/1"


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Write ``obj`` (a state dict: dicts, lists, tuples, numbers, strings, None and tensors).

    The file is written exactly at ``f`` (NumPy would add ``.npz`` to a bare name; we do not).
    """
    arrays: dict[str, np.ndarray] = {}
    structure = {"format": _FORMAT, "object": _encode(obj, arrays)}
    text = json.dumps(structure).encode("utf-8")
    arrays[_STRUCTURE] = np.frombuffer(text, dtype=np.uint8)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            np.savez(handle, **arrays)
    else:
        np.savez(f, **arrays)


def load(f: str | os.PathLike | IO[bytes], map_location: Any = None,
         weights_only: bool = True) -> Any:
    """Read what ``save`` wrote. Tensors come back on the CPU (or on ``map_location``).

    Refuses files containing pickled Python objects (``pickle.UnpicklingError``): loading those
    could run arbitrary code. ``weights_only`` is accepted for PyTorch compatibility; loading is
    always weights-only here.
    """
    try:
        archive = np.load(f, allow_pickle=False)
    except ValueError as exc:  # NumPy: "Cannot load file containing pickled data ..."
        raise _refuse(f, exc) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        message = f"{_name(f)} is not a file written by tinygrad_edu.save ({exc})"
        raise RuntimeError(message) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise RuntimeError(f"{_name(f)} is a single NumPy array, not a file written by "
                           "tinygrad_edu.save; read it with numpy.load")
    with archive:
        if _STRUCTURE not in archive.files:
            raise RuntimeError(f"{_name(f)} is an .npz archive but was not written by "
                               "tinygrad_edu.save (it has no __structure__ entry)")
        try:
            arrays = {name: archive[name] for name in archive.files}
        except ValueError as exc:  # an object array inside: "Object arrays cannot be loaded ..."
            raise _refuse(f, exc) from None
    structure = json.loads(arrays.pop(_STRUCTURE).tobytes().decode("utf-8"))
    if structure.get("format") != _FORMAT:
        raise RuntimeError(f"unknown file format {structure.get('format')!r} in {_name(f)}")
    return _decode(structure["object"], arrays, map_location)


def _encode(obj: Any, arrays: dict) -> Any:
    """Python object -> JSON-able structure, moving each tensor's numbers into ``arrays``."""
    if isinstance(obj, Tensor):
        key = f"t{len(arrays)}"
        arrays[key] = obj.numpy_host()
        return {"__tensor__": key}
    if isinstance(obj, np.ndarray):
        key = f"t{len(arrays)}"
        arrays[key] = obj
        return {"__ndarray__": key}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return {"__float__": repr(float(obj))}  # repr keeps every bit, and inf/nan too
    if isinstance(obj, dict):
        for k in obj:
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"save: dict keys must be str or int, got {type(k).__name__}")
        items = [[k, _encode(v, arrays)] for k, v in obj.items()]
        if isinstance(obj, OrderedDict):  # a state_dict: it loads back as one, as in PyTorch
            return {"__ordered_dict__": items}
        return {"__dict__": items}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, arrays) for v in obj]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    raise TypeError(
        f"save: cannot store an object of type {type(obj).__name__}. tinygrad_edu.save writes "
        "state dicts (dicts/lists of tensors, numbers and strings); save model.state_dict(), "
        "not the model itself."
    )


def _decode(obj: Any, arrays: dict, map_location: Any) -> Any:
    if isinstance(obj, list):
        return [_decode(v, arrays, map_location) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        t = Tensor._make(arrays[obj["__tensor__"]])
        return t if map_location is None else t.to(map_location)
    if "__ndarray__" in obj:
        return arrays[obj["__ndarray__"]]
    if "__float__" in obj:
        return float(obj["__float__"])
    if "__tuple__" in obj:
        return tuple(_decode(v, arrays, map_location) for v in obj["__tuple__"])
    if "__dict__" in obj:
        return {k: _decode(v, arrays, map_location) for k, v in obj["__dict__"]}
    if "__ordered_dict__" in obj:
        items = obj["__ordered_dict__"]
        return OrderedDict((k, _decode(v, arrays, map_location)) for k, v in items)
    raise RuntimeError(f"corrupt file: unexpected entry {obj!r}")


def _name(f: Any) -> str:
    return repr(os.fspath(f)) if isinstance(f, (str, os.PathLike)) else "the file"


def _refuse(f: Any, exc: Exception) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        f"Refusing to load {_name(f)}: it contains pickled Python objects, and unpickling can run "
        "arbitrary code. tinygrad_edu.load only reads files written by tinygrad_edu.save "
        f"(NumPy arrays + JSON). ({exc})"
    )
