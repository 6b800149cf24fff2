"""Reading the packaged JSON files and structuring each into typed records.

The files are read through the import system (the package's loader), so the data is found
wherever the package was imported from: a directory, a wheel unpacked by an installer, a zip
on ``sys.path`` or a ``python -m zipapp`` archive. Each file is structured with cattrs into the
records of `rlsnutrition.model` (unknown keys rejected); a bad file raises
`DataError` naming the file and the field path. Checks that need more than one file
live in `rlsnutrition._validate`.
"""

from __future__ import annotations

import binascii
import os
from typing import Any, NamedTuple, TypeVar

from .errors import DataError
from .model import (
    NUTRIENT_IDS,
    Analyte,
    KnowledgeInfo,
    Nutrient,
    Reference,
    RLSFactor,
    RuleBook,
    Threshold,
)

_T = TypeVar("_T")

SOURCE_FILES = (
    "meta.json",
    *(f"nutrients/{nid}.json" for nid in NUTRIENT_IDS),
    "analytes.json",
    "thresholds.json",
    "rules.json",
    "rls_factors.json",
)
"""Every packaged JSON file, as a path under ``rlsnutrition/data``."""

GENERATED_MODULE = "_knowledge_data"
"""The module a wheel's build writes the validated files into as Python (see ``_generate``)."""


class Files(NamedTuple):
    """The packaged files, each structured into its records (not yet checked against each
    other). A named tuple, not an attrs class: it is built once per process, and the import of
    this module is on every cold start."""

    info: KnowledgeInfo
    nutrients: tuple[Nutrient, ...]
    analytes: tuple[Analyte, ...]
    analyte_references: tuple[Reference, ...]
    thresholds: tuple[Threshold, ...]
    threshold_references: tuple[Reference, ...]
    rules: RuleBook
    factors: tuple[RLSFactor, ...]
    factor_references: tuple[Reference, ...]

    def references_by_file(self) -> list[tuple[str, tuple[Reference, ...]]]:
        """Each file's name and the references it defines."""
        return [(f"nutrients/{n.id}.json", n.references) for n in self.nutrients] + [
            ("analytes.json", self.analyte_references),
            ("thresholds.json", self.threshold_references),
            ("rules.json", self.rules.references),
            ("rls_factors.json", self.factor_references),
        ]


def read_bytes(name: str) -> bytes:
    """The bytes of the packaged data file ``name`` (a path under ``rlsnutrition/data``)."""
    try:
        return _package_bytes("data", *name.split("/"))
    except OSError as exc:
        raise DataError(f"data file {name} cannot be read: {exc}") from None


def _package_bytes(*parts: str) -> bytes:
    loader = __spec__.loader if __spec__ is not None else None
    get_data = getattr(loader, "get_data", None)
    if get_data is not None:
        # The loader that imported this module reads its package's files, from a directory
        # or a zip alike (importlib.resources rests on the same call for both).
        data: bytes = get_data(os.path.join(os.path.dirname(__file__), *parts))
        return data
    from importlib.resources import files

    resource = files(__package__)
    for part in parts:
        resource = resource / part
    return resource.read_bytes()


def fingerprint() -> int:
    """A checksum of every packaged JSON file and of the records' code (``model.py``), to tell
    whether knowledge generated from them at build time still matches them."""
    crc = 0
    for name in SOURCE_FILES:
        crc = binascii.crc32(name.encode() + b"\0" + read_bytes(name) + b"\0", crc)
    try:
        return binascii.crc32(_package_bytes("model.py"), crc)
    except OSError:  # installed without sources: nothing to compare with
        return -1


def read_json(name: str) -> Any:
    import json

    try:
        return json.loads(read_bytes(name))
    except ValueError as exc:
        raise DataError(f"data file {name} is not valid JSON: {exc}") from None


def structure(doc: Any, cls: Any, name: str, path: str = "$") -> Any:
    """``doc`` (at ``path`` in file ``name``) structured into ``cls``, or DataError."""
    # cattrs is imported on first load from JSON, not at package import.
    import cattrs

    from ._converter import converter

    try:
        return converter.structure(doc, cls)
    except cattrs.BaseValidationError as exc:
        details = "; ".join(cattrs.transform_error(exc, path=path))
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


def _load_nutrient(nid: str) -> Nutrient:
    name = f"nutrients/{nid}.json"
    nutrient: Nutrient = structure(with_resolved_references(read_json(name), name), Nutrient, name)
    return nutrient


def _load_list(name: str, key: str, cls: type[_T]) -> tuple[tuple[_T, ...], tuple[Reference, ...]]:
    """The records listed under ``key`` in file ``name``, and the references it defines."""
    doc = with_resolved_references(read_json(name), name)
    unknown = sorted(set(doc) - {key, "references"})
    if unknown or key not in doc:
        problem = f"$.{unknown[0]} is not a known key" if unknown else f"$.{key} is missing"
        raise DataError(f"data file {name} is invalid: {problem}")
    records = structure(doc[key], tuple[cls, ...], name, f"$.{key}")  # type: ignore[valid-type]
    references = structure(doc["references"], tuple[Reference, ...], name, "$.references")
    return records, references


def _load_rules() -> RuleBook:
    name = "rules.json"
    book: RuleBook = structure(with_resolved_references(read_json(name), name), RuleBook, name)
    return book


def read() -> Files:
    """Every packaged file, read and structured (each file valid on its own)."""
    analytes = _load_list("analytes.json", "analytes", Analyte)
    thresholds = _load_list("thresholds.json", "thresholds", Threshold)
    factors = _load_list("rls_factors.json", "factors", RLSFactor)
    return Files(
        info=structure(read_json("meta.json"), KnowledgeInfo, "meta.json"),
        nutrients=tuple(_load_nutrient(nid) for nid in NUTRIENT_IDS),
        analytes=analytes[0],
        analyte_references=analytes[1],
        thresholds=thresholds[0],
        threshold_references=thresholds[1],
        rules=_load_rules(),
        factors=factors[0],
        factor_references=factors[1],
    )
