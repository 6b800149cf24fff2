"""Names and units in the form they are indexed under, so that spellings people type agree."""

from __future__ import annotations

import functools

_STRIP = str.maketrans("", "", " \t\n\r-_.")

MAX_NAME_LENGTH = 200
"""Longer names are refused before normalising: the longest known name has 36 characters, and
Unicode normalisation of a megabyte of text would take seconds."""


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


_CACHED_UNIT_LENGTH = 40  # the longest unit spelling in the data has 16 characters


def normalize_unit(unit: str) -> str:
    """The form unit spellings are indexed under: ``µg/L``, ``ug/l`` and ``mcg/L`` agree."""
    # Memoised for unit-sized strings only, so that the cache holds at most 4,096 short keys
    # however long the strings callers pass.
    if len(unit) <= _CACHED_UNIT_LENGTH:
        return _normalize_short_unit(unit)
    return _normalize_unit(unit)


def _normalize_unit(unit: str) -> str:
    u = unit.strip().translate(_UNIT_STRIP).casefold()
    return u.replace("\u03bc", "u").replace("\u00b5", "u").replace("mcg", "ug")


_normalize_short_unit = functools.lru_cache(maxsize=4096)(_normalize_unit)
