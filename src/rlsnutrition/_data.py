"""Reading the packaged JSON files and structuring each into typed records.

The files are read through the import system (the package's loader), so the data is found
wherever the package was imported from: a directory, a wheel unpacked by an installer, a zip
on ``sys.path`` or a ``python -m zipapp`` archive. Each file is structured with cattrs into the
records of :mod:`rlsnutrition.model` (unknown keys rejected); a bad file raises
:class:`DataError` naming the file and the field path. Checks that need more than one file
live in :mod:`rlsnutrition._validate`.
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

import attrs

from .errors import DataError
from .model import NUTRIENT_IDS, Analyte, KnowledgeInfo, Nutrient, Reference, RLSFactor, Threshold

_T = TypeVar("_T")

SOURCE_FILES = (
    "meta.json",
    *(f"nutrients/{nid}.json" for nid in NUTRIENT_IDS),
    "analytes.json",
    "thresholds.json",
    "rls_factors.json",
)
"""Every packaged JSON file, as a path under ``rlsnutrition/data``."""


@attrs.frozen
class AnalyteFile:
    analytes: tuple[Analyte, ...]
    references: tuple[Reference, ...]


@attrs.frozen
class ThresholdFile:
    thresholds: tuple[Threshold, ...]
    references: tuple[Reference, ...]


@attrs.frozen
class FactorFile:
    factors: tuple[RLSFactor, ...]
    references: tuple[Reference, ...]


@attrs.frozen
class Files:
    """The packaged files, each structured into its records (not yet checked against each other)."""

    info: KnowledgeInfo
    nutrients: tuple[Nutrient, ...]
    analytes: AnalyteFile
    thresholds: ThresholdFile
    factors: FactorFile

    def references_by_file(self) -> list[tuple[str, tuple[Reference, ...]]]:
        """Each file's name and the references it defines."""
        return [(f"nutrients/{n.id}.json", n.references) for n in self.nutrients] + [
            ("analytes.json", self.analytes.references),
            ("thresholds.json", self.thresholds.references),
            ("rls_factors.json", self.factors.references),
        ]


def read_bytes(name: str) -> bytes:
    """The bytes of the packaged data file ``name`` (a path under ``rlsnutrition/data``)."""
    loader = __spec__.loader if __spec__ is not None else None
    get_data = getattr(loader, "get_data", None)
    try:
        if get_data is not None:
            # The loader that imported this module reads its package's files, from a
            # directory or a zip alike (importlib.resources is built on the same call).
            path = os.path.join(os.path.dirname(__file__), "data", *name.split("/"))
            data: bytes = get_data(path)
            return data
        from importlib.resources import files

        resource = files(__package__) / "data"
        for part in name.split("/"):
            resource = resource / part
        return resource.read_bytes()
    except OSError as exc:
        raise DataError(f"data file {name} cannot be read: {exc}") from None


def read_json(name: str) -> Any:
    import json

    try:
        return json.loads(read_bytes(name))
    except ValueError as exc:
        raise DataError(f"data file {name} is not valid JSON: {exc}") from None


def structure(doc: Any, cls: type[_T], name: str) -> _T:
    # cattrs is imported on first load from JSON, not at package import.
    import cattrs

    from ._converter import converter

    try:
        return converter.structure(doc, cls)
    except cattrs.BaseValidationError as exc:
        details = "; ".join(cattrs.transform_error(exc, path="$"))
        raise DataError(f"data file {name} is invalid: {details}") from None
    except (TypeError, ValueError, KeyError) as exc:
        raise DataError(f"data file {name} is invalid: {exc}") from None


def with_resolved_references(doc: Any, name: str) -> Any:
    """Replace every list of reference ids in ``doc`` with the references the file defines."""
    if not isinstance(doc, dict) or not isinstance(doc.get("references"), list):
        raise DataError(f"data file {name} is invalid: $.references must be a list")
    defined: dict[str, Any] = {}
    for i, ref in enumerate(doc["references"]):
        rid = ref.get("id") if isinstance(ref, dict) else None
        if not isinstance(rid, str):
            raise DataError(f"data file {name} is invalid: $.references[{i}].id is missing")
        if rid in defined:
            raise DataError(f"data file {name} is invalid: reference id {rid!r} defined twice")
        defined[rid] = ref

    def resolve(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                here = f"{path}.{key}"
                if key == "references" and path != "$":
                    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                        raise DataError(
                            f"data file {name} is invalid: {here} must list reference ids"
                        )
                    missing = [v for v in value if v not in defined]
                    if missing:
                        raise DataError(
                            f"data file {name} is invalid: {here} cites {missing[0]!r}, which "
                            "the file's top-level references do not define"
                        )
                    out[key] = [defined[v] for v in value]
                else:
                    out[key] = resolve(value, here)
            return out
        if isinstance(node, list):
            return [resolve(v, f"{path}[{i}]") for i, v in enumerate(node)]
        return node

    return resolve(doc, "$")


def _load_file(name: str, cls: type[_T]) -> _T:
    return structure(with_resolved_references(read_json(name), name), cls, name)


def read() -> Files:
    """Every packaged file, read and structured (each file valid on its own)."""
    return Files(
        info=structure(read_json("meta.json"), KnowledgeInfo, "meta.json"),
        nutrients=tuple(_load_file(f"nutrients/{nid}.json", Nutrient) for nid in NUTRIENT_IDS),
        analytes=_load_file("analytes.json", AnalyteFile),
        thresholds=_load_file("thresholds.json", ThresholdFile),
        factors=_load_file("rls_factors.json", FactorFile),
    )
