"""The loaded knowledge with the indices lookups use, and the process-wide singleton.

Importing the package reads no data. The first call that needs knowledge reads the packaged
files (`rlsnutrition._data`), checks them against each other
(`rlsnutrition._validate`) and builds every index a lookup needs, so that a lookup
afterwards is a dictionary hit. The first load happens once, under a lock, however many
threads ask at the same time; a child process forked while another thread holds that lock
gets a fresh lock, so it cannot deadlock on a load that will never finish in it.

An installed wheel also holds ``_knowledge_data.py``: the same records, written as Python at
build time from the validated JSON (see `rlsnutrition._generate`) and compiled to bytecode
by the installer. It is used only while the fingerprint it records matches the JSON files and
``model.py`` beside it, and spares a short-lived process cattrs and JSON parsing; otherwise the
JSON is read and validated as above.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple, TypeVar

import attrs

from . import _data
from ._normalize import MAX_NAME_LENGTH, normalize_name, normalize_unit
from .errors import DataError, UnknownAnalyteError, UnknownNutrientError, show
from .model import (
    DIETS,
    Analyte,
    FoodSource,
    KnowledgeInfo,
    Nutrient,
    Reference,
    RLSFactor,
    RuleBook,
    Threshold,
    UnitSpec,
)

_T = TypeVar("_T")


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
    rules: RuleBook
    factors: tuple[RLSFactor, ...]
    references: Mapping[str, Reference]
    # "Did you mean" candidates, built once at load (see close_names).
    nutrient_names: tuple[Candidate, ...]
    analyte_names: tuple[Candidate, ...]

    @property
    def nutrient_ids(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.nutrients)

    @property
    def analyte_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.analytes)

    def find_nutrient(self, name: str) -> Nutrient:
        """The nutrient with this id, name, alias or form (``UnknownNutrientError`` if none)."""
        found = self.nutrient_index.get(name)
        if found is not None:
            return found
        if len(name) > MAX_NAME_LENGTH:
            raise UnknownNutrientError(name, (), self.nutrient_ids, _too_long(name))
        found = self.nutrient_index.get(normalize_name(name))
        if found is None:
            raise UnknownNutrientError(
                name, close_names(name, self.nutrient_names), self.nutrient_ids
            )
        return found

    def find_analyte(self, key: object) -> Analyte:
        """The analyte a lab key names: id, alias or LOINC code (``UnknownAnalyteError`` if none)."""
        if not isinstance(key, str):
            raise UnknownAnalyteError(show(key), (), self.analyte_ids)
        found = self.analyte_index.get(key)
        if found is not None:
            return found
        if len(key) > MAX_NAME_LENGTH:
            raise UnknownAnalyteError(key, (), self.analyte_ids, _too_long(key))
        found = self.analyte_index.get(normalize_name(key))
        if found is None:
            raise UnknownAnalyteError(key, close_names(key, self.analyte_names), self.analyte_ids)
        return found


def _too_long(name: str) -> str:
    return f" ({len(name)} characters; names have at most {MAX_NAME_LENGTH})"


class Candidate(NamedTuple):
    """A name "did you mean" may suggest: its indexed form, the name as shown, and the count
    of each character of the indexed form (what difflib's quick_ratio would count per call)."""

    key: str
    shown: str
    counts: dict[str, int]


def _counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    return counts


def candidates(names: Iterable[str]) -> tuple[Candidate, ...]:
    """The suggestion candidates for ``names`` (the first spelling of each indexed form)."""
    shown: dict[str, str] = {}
    for name in names:
        shown.setdefault(normalize_name(name), name)
    return tuple(Candidate(key, name, _counts(key)) for key, name in shown.items())


def close_names(name: str, among: tuple[Candidate, ...]) -> tuple[str, ...]:
    """The three names closest to ``name``, best first: exactly what
    ``difflib.get_close_matches(normalize_name(name), keys, n=3, cutoff=0.6)`` picks, with
    each candidate's length and character counts taken once at load, not per call."""
    import difflib
    import heapq

    word = normalize_name(name)
    counts = _counts(word)
    word_chars, word_counts = tuple(counts), tuple(counts.values())
    zeros = (0,) * len(word_chars)
    # difflib keeps a candidate whose real_quick_ratio, quick_ratio and ratio each reach the
    # cutoff; each is a bound on the next, so rank by quick_ratio first and stop computing
    # ratio (the costly one) once no candidate left can reach the third best.
    bounded: list[tuple[float, str, str]] = []
    for key, shown, key_counts in among:
        total = len(word) + len(key)
        if 2.0 * min(len(word), len(key)) / total < _CUTOFF:
            continue
        # The characters both share, counted in C: min of each count over the word's chars.
        quick = 2.0 * sum(map(min, word_counts, map(key_counts.get, word_chars, zeros))) / total
        if quick >= _CUTOFF:
            bounded.append((quick, key, shown))
    bounded.sort(reverse=True)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    best: list[tuple[float, str, str]] = []  # a min-heap of the three best (ratio, key, shown)
    for quick, key, shown in bounded:
        if len(best) == 3 and quick < best[0][0]:
            break
        matcher.set_seq1(key)
        ratio = matcher.ratio()
        if ratio >= _CUTOFF:
            heapq.heappush(best, (ratio, key, shown))
            if len(best) > 3:
                heapq.heappop(best)
    return tuple(shown for _, _, shown in sorted(best, reverse=True))


_CUTOFF = 0.6


_lock = threading.Lock()
_knowledge: Knowledge | None = None


def _new_lock_after_fork() -> None:
    # The child has one thread: a lock another parent thread held at fork stays held forever.
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_new_lock_after_fork)


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
            _knowledge = _generated() or load()
        return _knowledge


def _generated() -> Knowledge | None:
    """The knowledge from the module generated at build time, if there is one and it was
    generated from the JSON files and ``model.py`` this package holds (see ``_generate``)."""
    try:
        module = importlib.import_module(f".{_data.GENERATED_MODULE}", __package__)
        if _data.fingerprint() != module.FINGERPRINT:
            return None
        return build(module.FILES)
    except Exception:  # absent (a source checkout), stale or broken: only a missed shortcut
        return None


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


def build(files: _data.Files) -> Knowledge:
    """The indices over the records of ``files`` (a name claimed twice raises DataError)."""
    nutrients = files.nutrients
    nutrient_index = _index(
        nutrients, lambda n: (n.id, n.name, *n.aliases, *n.forms), "nutrient", lambda n: n.id
    )
    foods: dict[tuple[str, str | None], tuple[FoodSource, ...]] = {}
    for n in nutrients:
        richest = tuple(sorted(n.foods, key=lambda f: (-f.amount, f.name)))
        foods[n.id, None] = richest
        for diet in DIETS:
            foods[n.id, diet] = tuple(f for f in richest if diet in f.diets)

    analytes = files.analytes
    analyte_index = _index(
        analytes, lambda a: (a.id, a.name, *a.aliases, *a.loinc), "analyte", lambda a: a.id
    )
    unit_index: dict[tuple[str, str], UnitSpec] = {}
    for a in analytes:
        for spec in a.units:
            for spelling in (spec.unit, *spec.spellings):
                unit_index[a.id, normalize_unit(spelling)] = spec

    references: dict[str, Reference] = {}
    for _name, refs in files.references_by_file():
        for ref in refs:
            references.setdefault(ref.id, ref)

    return Knowledge(
        info=files.info,
        nutrients=nutrients,
        nutrient_index=nutrient_index,
        foods=foods,
        analytes=analytes,
        analyte_index=analyte_index,
        unit_index=unit_index,
        thresholds={t.id: t for t in files.thresholds},
        rules=files.rules,
        factors=files.factors,
        references=references,
        nutrient_names=candidates(
            name for n in nutrients for name in (n.id, n.name, *n.aliases, *n.forms)
        ),
        analyte_names=candidates(
            [a.id for a in analytes] + [alias for a in analytes for alias in a.aliases]
        ),
    )


def load() -> Knowledge:
    """Read, validate and index every packaged JSON file (no caching: see ``knowledge()``)."""
    from ._validate import check

    files = _data.read()
    k = build(files)
    check(files, k)
    return k


def load_files() -> _data.Files:
    """The packaged files, read and validated: what the generated module is written from."""
    from ._validate import check

    files = _data.read()
    check(files, build(files))
    return files
