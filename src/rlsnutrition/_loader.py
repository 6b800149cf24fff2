"""Loading the packaged knowledge: once, lazily, safely from many threads.

Importing the package reads no data. The first call that needs knowledge reads the JSON files
under ``rlsnutrition/data``, structures them with cattrs into the typed records of
:mod:`rlsnutrition.model` (unknown keys rejected; a bad file raises :class:`DataError` naming
the file and the field path), and builds every index a lookup needs, so that a lookup
afterwards is a dictionary hit.

An installed wheel also ships ``data/knowledge.pickle``: the same validated, indexed knowledge,
written at build time by ``hatch_build.py``. It is used only when its fingerprint matches the
JSON files byte for byte (and it was written by this Python version); otherwise the JSON is
loaded and validated as above. It spares short-lived processes the cost of importing cattrs and
structuring the data (see docs/performance.md).
"""

from __future__ import annotations

import functools
import os
import pickle
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from .errors import DataError
from .model import (
    DIETS,
    Analyte,
    FoodSource,
    KnowledgeInfo,
    Nutrient,
    Reference,
    RLSFactor,
    Threshold,
    UnitSpec,
)

NUTRIENT_IDS = ("iron", "magnesium", "vitamin_b12", "vitamin_b6", "vitamin_d", "folate")

_T = TypeVar("_T")

_STRIP = str.maketrans("", "", " \t\n\r-_.")


def normalize_name(name: str) -> str:
    """The form every name is indexed under: case-folded, without spaces, hyphens, _ or dots,
    and in Unicode compatibility form (full-width ``ｉｒｏｎ`` is ``iron``)."""
    folded = name.replace("\u2019", "'").casefold().translate(_STRIP)
    if folded.isascii():
        return folded
    import unicodedata

    # Compatibility forms and case folding can each undo the other: fold to a fixed point
    # (two rounds in practice; the bound only guards against a cycle).
    for _ in range(8):
        again = unicodedata.normalize("NFKC", folded).casefold().translate(_STRIP)
        if again == folded:
            break
        folded = again
    return folded


_UNIT_STRIP = str.maketrans({" ": None, "{": None, "}": None, "_": None, "\u00b2": "2"})


@functools.lru_cache(maxsize=4096)
def normalize_unit(unit: str) -> str:
    """The form unit spellings are indexed under: ``µg/L``, ``ug/l`` and ``mcg/L`` agree."""
    u = unit.strip().translate(_UNIT_STRIP).casefold()
    return u.replace("\u03bc", "u").replace("\u00b5", "u").replace("mcg", "ug")


@attrs.frozen
class _AnalyteFile:
    analytes: tuple[Analyte, ...]
    references: tuple[Reference, ...]


@attrs.frozen
class _ThresholdFile:
    thresholds: tuple[Threshold, ...]
    references: tuple[Reference, ...]


@attrs.frozen
class _FactorFile:
    factors: tuple[RLSFactor, ...]
    references: tuple[Reference, ...]


@attrs.frozen
class Knowledge:
    """Everything loaded, with the indices lookups use."""

    info: KnowledgeInfo
    nutrients: tuple[Nutrient, ...]
    nutrient_index: Mapping[str, Nutrient]
    foods: Mapping[tuple[str, str | None], tuple[FoodSource, ...]]
    analytes: tuple[Analyte, ...]
    analyte_index: Mapping[str, Analyte]
    unit_index: Mapping[tuple[str, str], UnitSpec]
    thresholds: Mapping[str, Threshold]
    factors: tuple[RLSFactor, ...]
    references: Mapping[str, Reference]


_lock = threading.Lock()
_knowledge: Knowledge | None = None


def knowledge() -> Knowledge:
    """The loaded knowledge, loading it on first use (once, under a lock)."""
    k = _knowledge
    if k is None:
        k = _load_once()
    return k


def _load_once() -> Knowledge:
    global _knowledge
    with _lock:
        if _knowledge is None:
            _knowledge = _cached() or load()
        return _knowledge


_DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
SOURCE_FILES = (
    "meta.json",
    *(f"nutrients/{nid}.json" for nid in NUTRIENT_IDS),
    "analytes.json",
    "thresholds.json",
    "rls_factors.json",
)
CACHE_FILE = "knowledge.pickle"
_CACHE_FORMAT = f"rlsnutrition-knowledge-1/py{sys.version_info[0]}.{sys.version_info[1]}"


def _read_bytes(name: str) -> bytes:
    try:
        with open(os.path.join(_DATA_DIR, *name.split("/")), "rb") as f:
            return f.read()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise DataError(f"data file {name} cannot be read: {exc}") from None
    # Not a plain directory (a zip import, say): ask the import system for the resource.
    from importlib.resources import files

    resource = files("rlsnutrition") / "data"
    for part in name.split("/"):
        resource = resource / part
    try:
        return resource.read_bytes()
    except OSError as exc:
        raise DataError(f"data file {name} cannot be read: {exc}") from None


def _read_json(name: str) -> Any:
    import json

    try:
        return json.loads(_read_bytes(name))
    except ValueError as exc:
        raise DataError(f"data file {name} is not valid JSON: {exc}") from None


def fingerprint() -> int:
    """A checksum of every packaged JSON file, to tell whether a cache matches them."""
    crc = 0
    for name in SOURCE_FILES:
        crc = zlib.crc32(name.encode() + b"\0" + _read_bytes(name) + b"\0", crc)
    return crc


def cache_bytes(k: Knowledge) -> bytes:
    """The cache file's content for knowledge ``k`` loaded from the current JSON files."""
    return pickle.dumps((_CACHE_FORMAT, fingerprint(), k), protocol=pickle.HIGHEST_PROTOCOL)


def _cached() -> Knowledge | None:
    """The knowledge from the build-time cache, if there is one and it matches the JSON."""
    try:
        with open(os.path.join(_DATA_DIR, CACHE_FILE), "rb") as f:
            blob = f.read()
    except OSError:
        return None
    try:
        fmt, crc, k = pickle.loads(blob)
    except Exception:  # any unreadable cache is only a missed shortcut
        return None
    if fmt != _CACHE_FORMAT or not isinstance(k, Knowledge) or crc != fingerprint():
        return None
    return k


def write_cache(path: str) -> None:
    """Validate the JSON files and write the cache file to ``path`` (used at build time)."""
    with open(path, "wb") as f:
        f.write(cache_bytes(load()))


def _structure(doc: Any, cls: type[_T], name: str) -> _T:
    # cattrs is imported on first load, not at package import.
    import cattrs

    from ._converter import converter

    try:
        return converter.structure(doc, cls)
    except cattrs.BaseValidationError as exc:
        details = "; ".join(cattrs.transform_error(exc, path="$"))
        raise DataError(f"data file {name} is invalid: {details}") from None
    except (TypeError, ValueError, KeyError) as exc:
        raise DataError(f"data file {name} is invalid: {exc}") from None


def _with_resolved_references(doc: Any, name: str) -> Any:
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
    return _structure(_with_resolved_references(_read_json(name), name), cls, name)


def _index(
    items: Iterable[_T], names: Callable[[_T], Iterable[str]], what: str, ident: Callable[[_T], str]
) -> dict[str, _T]:
    index: dict[str, _T] = {}
    for item in items:
        for raw in names(item):
            for key in {raw, normalize_name(raw)}:
                if not key:
                    continue
                other = index.setdefault(key, item)
                if ident(other) != ident(item):
                    raise DataError(
                        f"{what} name {raw!r} is claimed by both {ident(other)!r} and {ident(item)!r}"
                    )
    return index


def load() -> Knowledge:
    """Read, validate and index every packaged data file (no caching: see ``knowledge()``)."""
    info = _structure(_read_json("meta.json"), KnowledgeInfo, "meta.json")
    nutrients = tuple(_load_file(f"nutrients/{nid}.json", Nutrient) for nid in NUTRIENT_IDS)
    for nid, nutrient in zip(NUTRIENT_IDS, nutrients, strict=True):
        if nutrient.id != nid:
            raise DataError(f"data file nutrients/{nid}.json is invalid: $.id is {nutrient.id!r}")
    analyte_file = _load_file("analytes.json", _AnalyteFile)
    threshold_file = _load_file("thresholds.json", _ThresholdFile)
    factor_file = _load_file("rls_factors.json", _FactorFile)

    references: dict[str, Reference] = {}
    origin: dict[str, str] = {}
    sources = [(f"nutrients/{n.id}.json", n.references) for n in nutrients] + [
        ("analytes.json", analyte_file.references),
        ("thresholds.json", threshold_file.references),
        ("rls_factors.json", factor_file.references),
    ]
    for name, refs in sources:
        for ref in refs:
            known = references.setdefault(ref.id, ref)
            origin.setdefault(ref.id, name)
            if known != ref:
                raise DataError(
                    f"reference {ref.id!r} is defined differently in data files "
                    f"{origin[ref.id]} and {name}; a shared reference must be identical"
                )

    nutrient_index = _index(
        nutrients, lambda n: (n.id, n.name, *n.aliases, *n.forms), "nutrient", lambda n: n.id
    )
    foods: dict[tuple[str, str | None], tuple[FoodSource, ...]] = {}
    for n in nutrients:
        richest = tuple(sorted(n.foods, key=lambda f: (-f.amount, f.name)))
        foods[n.id, None] = richest
        for diet in DIETS:
            foods[n.id, diet] = tuple(f for f in richest if diet in f.diets)

    analytes = analyte_file.analytes
    analyte_index = _index(
        analytes, lambda a: (a.id, a.name, *a.aliases, *a.loinc), "analyte", lambda a: a.id
    )
    unit_index: dict[tuple[str, str], UnitSpec] = {}
    for a in analytes:
        if a.nutrient is not None and a.nutrient not in NUTRIENT_IDS:
            raise DataError(f"analyte {a.id!r} names unknown nutrient {a.nutrient!r}")
        if not a.units or a.units[0].unit != a.default_unit or a.units[0].factor != 1:
            raise DataError(
                f"analyte {a.id!r}: its first unit must be {a.default_unit!r}, factor 1"
            )
        for spec in a.units:
            for spelling in (spec.unit, *spec.spellings):
                unit_index[a.id, normalize_unit(spelling)] = spec
    for n in nutrients:
        for test in n.lab_tests:
            if test not in analyte_index:
                raise DataError(f"nutrient {n.id!r} lists unknown lab test {test!r}")

    thresholds: dict[str, Threshold] = {}
    for t in threshold_file.thresholds:
        if t.id in thresholds:
            raise DataError(f"threshold {t.id!r} is defined twice")
        if (t.analyte, normalize_unit(t.unit)) not in unit_index:
            raise DataError(f"threshold {t.id!r}: unit {t.unit!r} is not a unit of {t.analyte!r}")
        exact = t.value * unit_index[t.analyte, normalize_unit(t.unit)].factor
        for e in t.equivalents:
            eq_spec = unit_index.get((t.analyte, normalize_unit(e.unit)))
            if eq_spec is None:
                raise DataError(
                    f"threshold {t.id!r}: equivalent unit {e.unit!r} is not a unit of {t.analyte!r}"
                )
            # A published equivalent is the same cut-off rounded: within 2 % catches a typo.
            if not abs(e.value * eq_spec.factor - exact) <= 0.02 * exact:
                raise DataError(
                    f"threshold {t.id!r}: equivalent {e.value:g} {e.unit} is not "
                    f"{t.value:g} {t.unit} (it converts to {e.value * eq_spec.factor:.4g})"
                )
        thresholds[t.id] = t

    return Knowledge(
        info=info,
        nutrients=nutrients,
        nutrient_index=nutrient_index,
        foods=foods,
        analytes=analytes,
        analyte_index=analyte_index,
        unit_index=unit_index,
        thresholds=thresholds,
        factors=factor_file.factors,
        references=references,
    )
