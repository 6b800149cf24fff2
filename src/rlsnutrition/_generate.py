"""Write the packaged knowledge as a plain Python module, at wheel build time.

``hatch_build.py`` loads and validates the JSON files exactly as at run time (cattrs, every
cross-file check), then calls `module_source()` to write ``_knowledge_data.py`` into the
wheel: the same records as constructor calls, which the installer compiles to bytecode for
whatever Python it installs on. Importing it costs neither cattrs nor JSON parsing. The module
records a fingerprint of the JSON files and of ``model.py``; `rlsnutrition._knowledge`
uses it only while that fingerprint still matches, and reads the JSON otherwise.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from . import _data


class _Writer:
    def __init__(self) -> None:
        self.classes: set[str] = set()
        # Each distinct reference is built once and shared, as the JSON files share them.
        self.references: dict[object, str] = {}
        self.reference_lines: list[str] = []

    def expr(self, value: Any) -> str:
        if isinstance(value, tuple):
            return "(" + "".join(self.expr(v) + ", " for v in value) + ")"
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"the data holds a non-finite number: {value!r}")
        if isinstance(value, (str, int, float, type(None))):
            return repr(value)
        if not attrs.has(type(value)):
            raise TypeError(f"cannot write {type(value).__name__} as Python source")
        call = self._call(value)
        if type(value).__name__ != "Reference":
            return call
        name = self.references.get(value)
        if name is None:
            name = self.references[value] = f"_R{len(self.references)}"
            self.reference_lines.append(f"{name} = {call}")
        return name

    def _call(self, value: Any) -> str:
        cls = type(value)
        self.classes.add(cls.__name__)
        args = ", ".join(f"{f.name}={self.expr(getattr(value, f.name))}" for f in attrs.fields(cls))
        return f"{cls.__name__}({args})"


def module_source(files: _data.Files) -> str:
    """The source of a module whose ``FILES`` equals ``files`` (already validated)."""
    writer = _Writer()
    parts = {name: writer.expr(value) for name, value in files._asdict().items()}
    model_names = sorted(writer.classes)
    lines = [
        '"""The packaged knowledge as Python, generated from data/*.json by hatch_build.py at',
        'wheel build time (see rlsnutrition/_generate.py). Do not edit: the JSON is the source."""',
        "",
        "from ._data import Files",
        f"from .model import {', '.join(model_names)}",
        "",
        f"FINGERPRINT = {_data.fingerprint()}",
        "",
        *writer.reference_lines,
        "",
        "FILES = Files(",
        *(f"    {key}={value}," for key, value in parts.items()),
        ")",
        "",
    ]
    return "\n".join(lines)


def write_module(path: str) -> None:
    """Validate the JSON files and write the generated module to ``path`` (build time)."""
    from ._knowledge import load_files

    with open(path, "w", encoding="utf-8") as f:
        f.write(module_source(load_files()))
