"""Your saved parts: ``exercises/my_parts/<name>.py``, written when a part's check passes.

Each file is plain Python you can read and edit: the imports your function needs, your
function, and two names at the bottom, ``PART`` (which part it is) and ``FUNCTION``.
``load_mine()`` runs every file and installs its function. The course's ``.gitignore`` ignores
the folder, and ``tinygrad-edu build-exercises`` never touches it, so a course update keeps
your code. ``TINYGRAD_EDU_MY_PARTS=/some/folder`` puts the folder elsewhere.
"""

from __future__ import annotations

import datetime
import inspect
import os
import textwrap
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import registry

ENV = "TINYGRAD_EDU_MY_PARTS"


def my_parts_dir() -> Path:
    """Where your parts are saved: ``$TINYGRAD_EDU_MY_PARTS``, else ``exercises/my_parts`` of
    the course folder (found from the current folder upwards), else ``./my_parts``."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if folder.name == "exercises":
            return folder / "my_parts"
        if (folder / "exercises").is_dir():
            return folder / "exercises" / "my_parts"
    return here / "my_parts"


def save(name: str, fn: Callable, directory: Path | None = None) -> Path | None:
    """Write part ``name``'s function ``fn`` to ``<directory>/<name>.py``; the path, or None
    (with a printed reason) when its source cannot be had or the folder is not writable."""
    folder = Path(directory) if directory is not None else my_parts_dir()
    try:
        text = module_text(name, fn)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.py"
        path.write_text(text)
    except (OSError, TypeError) as exc:
        print(f"Could not save your {name}: {type(exc).__name__}: {exc}")
        return None
    return path


def module_text(name: str, fn: Callable) -> str:
    """The saved file's text: a header, the imports ``fn`` needs, ``fn``, PART and FUNCTION."""
    part = registry.get(name)
    stamp = datetime.date.today().isoformat()
    header = (
        f'"""Your part `{name}` (chapter {part.chapter:02d}), saved when its check passed '
        f"({stamp}).\n\n"
        "`tinygrad_edu.parts.load_mine()` installs it. Edit it here if you like; "
        f"`check(\"{part.task}\", ...)` in the exercise saves a new version.\n\"\"\"\n"
    )
    sources, imports = [], []
    _collect(fn, sources, imports, seen=set())
    body = "\n\n".join(sources)
    tail = f'\n\nPART = "{name}"\nFUNCTION = {fn.__name__}\n'
    lines = sorted(set(imports), key=lambda line: ("=" in line, line))  # imports first
    return header + "\n" + "".join(lines) + "\n\n" + body + tail


def _collect(fn: Callable, sources: list, imports: list, seen: set) -> None:
    """Add ``fn``'s source (decorators dropped) and what its globals need to be rebuilt."""
    if id(fn) in seen:
        return
    seen.add(id(fn))
    source = textwrap.dedent(inspect.getsource(fn))
    lines = source.splitlines()
    while lines and lines[0].lstrip().startswith("@"):
        lines.pop(0)
    sources.insert(0, "\n".join(lines))
    known = dict(fn.__globals__)
    cells = zip(fn.__code__.co_freevars, fn.__closure__ or ())  # a function written inside another
    known.update({name: cell.cell_contents for name, cell in cells})
    wanted = _global_names(fn.__code__) | set(fn.__code__.co_freevars)
    for global_name in sorted(wanted):
        if global_name not in known:
            continue  # a builtin, or a name the function never reaches
        imports.extend(_import_line(global_name, known[global_name], sources, imports, seen))


def _global_names(code: types.CodeType) -> set:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _import_line(name: str, value: Any, sources: list, imports: list, seen: set) -> list:
    if isinstance(value, types.ModuleType):
        module = value.__name__
        if module == name:
            return [f"import {module}\n"]
        # not `import a.b as name`: it reads attribute b of a, which may hide the module
        # (tinygrad_edu.device is a class, as torch.device is)
        return [f"{name} = importlib.import_module({module!r})\n", "import importlib\n"]
    if isinstance(value, (bool, int, float, str, type(None))):
        return [f"{name} = {value!r}\n"]
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", getattr(value, "__name__", None))
    if module and qualname and module != "__main__" and "." not in qualname:
        return [f"from {module} import {qualname}" + (f" as {name}" if qualname != name else "")
                + "\n"]
    if isinstance(value, types.FunctionType):  # a helper you wrote in the notebook
        _collect(value, sources, imports, seen)
        return []
    return [f"# note: the global {name!r} ({type(value).__name__}) could not be saved\n"]


def load_mine(directory: str | Path | None = None, quiet: bool = False) -> list[str]:
    """Install every part saved in ``directory`` (default: `my_parts_dir`); their names.

    A file that fails to load is reported and skipped: the reference stays for that part.
    """
    from . import install

    folder = Path(directory) if directory is not None else my_parts_dir()
    loaded = []
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        namespace: dict[str, Any] = {"__name__": f"my_parts.{path.stem}", "__file__": str(path)}
        try:
            exec(compile(path.read_text(), str(path), "exec"), namespace)
            install(namespace["PART"], namespace["FUNCTION"])
        except Exception as exc:
            print(f"Could not load {path.name}: {type(exc).__name__}: {exc} (the reference stays)")
            continue
        registry.PASSING[namespace["PART"]] = True
        loaded.append(namespace["PART"])
    if not quiet:
        print(f"Loaded {len(loaded)} of your parts from {folder}" + (":" if loaded else "."))
        for name in loaded:
            print(f"  {name}")
    return loaded
