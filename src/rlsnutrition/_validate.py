"""Every check that needs more than one data file: ids, references, units, lab tests.

A file that is valid on its own (see `rlsnutrition._data`) can still disagree with
another: a reference defined differently in two files, a nutrient naming an analyte that does
not exist, a threshold in a unit its analyte does not take. Each disagreement raises
`DataError` naming both sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._normalize import normalize_unit
from .errors import DataError
from .model import NUTRIENT_IDS, Reference

if TYPE_CHECKING:
    from ._data import Files
    from ._knowledge import Knowledge


def check(files: Files, k: Knowledge) -> None:
    """Raise `DataError` on the first disagreement between the files behind ``k``."""
    for nid, nutrient in zip(NUTRIENT_IDS, files.nutrients, strict=True):
        if nutrient.id != nid:
            raise DataError(f"data file nutrients/{nid}.json is invalid: $.id is {nutrient.id!r}")
    _check_references(files)
    for a in k.analytes:
        if a.nutrient is not None and a.nutrient not in NUTRIENT_IDS:
            raise DataError(f"analyte {a.id!r} names unknown nutrient {a.nutrient!r}")
        if not a.units or a.units[0].unit != a.default_unit or a.units[0].factor != 1:
            raise DataError(
                f"analyte {a.id!r}: its first unit must be {a.default_unit!r}, factor 1"
            )
        named = {"si_unit": a.si_unit}
        if a.plausibility is not None:
            named["plausibility unit"] = a.plausibility.unit
        for what, unit in named.items():
            if (a.id, normalize_unit(unit)) not in k.unit_index:
                raise DataError(f"analyte {a.id!r}: {what} {unit!r} is not one of its units")
    for n in k.nutrients:
        for test in n.lab_tests:
            if test not in k.analyte_index:
                raise DataError(f"nutrient {n.id!r} lists unknown lab test {test!r}")
    _check_rules(files, k)
    seen: set[str] = set()
    for t in files.thresholds:
        if t.id in seen:
            raise DataError(f"threshold {t.id!r} is defined twice")
        seen.add(t.id)
        spec = k.unit_index.get((t.analyte, normalize_unit(t.unit)))
        if spec is None:
            raise DataError(f"threshold {t.id!r}: unit {t.unit!r} is not a unit of {t.analyte!r}")
        exact = t.value * spec.factor
        for e in t.equivalents:
            eq_spec = k.unit_index.get((t.analyte, normalize_unit(e.unit)))
            if eq_spec is None:
                raise DataError(
                    f"threshold {t.id!r}: equivalent unit {e.unit!r} is not a unit of {t.analyte!r}"
                )
            # A published equivalent is the same cut-off rounded, sometimes coarsely (WHO pairs
            # serum folate "4 ng/mL (10 nmol/L)", 9 % apart): within 10 % still catches a typo.
            if not abs(e.value * eq_spec.factor - exact) <= 0.10 * exact:
                raise DataError(
                    f"threshold {t.id!r}: equivalent {e.value:g} {e.unit} is not "
                    f"{t.value:g} {t.unit} (it converts to {e.value * eq_spec.factor:.4g})"
                )


def _check_references(files: Files) -> None:
    """A reference id shared by several files must mean the same source in each."""
    references: dict[str, Reference] = {}
    origin: dict[str, str] = {}
    for name, refs in files.references_by_file():
        for ref in refs:
            known = references.setdefault(ref.id, ref)
            origin.setdefault(ref.id, name)
            if known != ref:
                raise DataError(
                    f"reference {ref.id!r} is defined differently in data files "
                    f"{origin[ref.id]} and {name}; a shared reference must be identical"
                )


def _check_rules(files: Files, k: Knowledge) -> None:
    """rules.json names only nutrients, analytes and thresholds that exist, and what each
    rule judges is among the tests its finding reports (the nutrient's ``lab_tests``)."""
    book = files.rules
    if [r.nutrient for r in book.nutrients] != list(NUTRIENT_IDS):
        raise DataError("data file rules.json: $.nutrients must list each nutrient once, in order")
    thresholds = {t.id for t in files.thresholds}
    for rule in book.nutrients:
        nutrient = k.nutrient_index[rule.nutrient]
        reported = (*nutrient.lab_tests, *rule.also_reports)
        for analyte in (*rule.judges, *rule.also_reports):
            if analyte not in k.analyte_index:
                raise DataError(f"rules.json: {rule.nutrient} names unknown analyte {analyte!r}")
            if analyte not in reported:
                raise DataError(
                    f"rules.json: {rule.nutrient} judges {analyte!r}, which neither its "
                    "lab_tests nor also_reports list"
                )
        if rule.first_test is not None and rule.first_test not in nutrient.lab_tests:
            raise DataError(
                f"rules.json: {rule.nutrient}'s first_test {rule.first_test!r} is not one of "
                "its lab_tests"
            )
    for table, rows in (
        ("hemoglobin", book.hemoglobin),
        ("ferritin_deficiency", book.ferritin_deficiency),
    ):
        for row in rows:
            if row.threshold not in thresholds:
                raise DataError(f"rules.json: {table} names unknown threshold {row.threshold!r}")
    for section, entries in (
        ("actions", book.actions),
        ("notes", book.notes),
        ("warnings", book.warnings),
    ):
        codes = [e.code for e in entries]
        if len(codes) != len(set(codes)):
            raise DataError(f"rules.json: $.{section} repeats a code")
