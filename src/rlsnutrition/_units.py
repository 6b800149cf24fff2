"""Unit conversion: the one place a value changes unit, by the factors in the analyte data.

Every accepted unit of an analyte carries its factor to the analyte's default unit (see
``data/analytes.json``). ``assess``, the FHIR reader, `convert()` and the
generated docs all convert through these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._normalize import normalize_unit
from .errors import UnknownUnitError, show

if TYPE_CHECKING:
    from ._knowledge import Knowledge
    from .model import Analyte, UnitSpec


def unit_spec(
    analyte: Analyte, unit: object, k: Knowledge, units: str = "conventional"
) -> UnitSpec:
    """The accepted unit ``unit`` names; for None or a blank, the analyte's default unit for
    ``units`` (``"conventional"`` or ``"si"``)."""
    if unit is None or (isinstance(unit, str) and not unit.strip()):
        if units == "si":
            return k.unit_index[analyte.id, normalize_unit(analyte.si_unit)]
        return analyte.units[0]
    if not isinstance(unit, str):
        raise UnknownUnitError(
            f"unit {show(unit)} for {analyte.id} is not a string; accepted: {accepted(analyte)}"
        )
    spec = k.unit_index.get((analyte.id, normalize_unit(unit)))
    if spec is not None:
        return spec
    raise UnknownUnitError(
        f"unit {show(unit)} is not accepted for {analyte.id}; accepted: {accepted(analyte)}"
    )


def accepted(analyte: Analyte) -> str:
    """The units ``analyte`` accepts, as an error message lists them."""
    return ", ".join(spec.unit for spec in analyte.units)


def to_default(value: float, spec: UnitSpec) -> float:
    """``value`` in the unit ``spec`` describes, converted to its analyte's default unit."""
    return value * spec.factor


def from_default(value: float, spec: UnitSpec) -> float:
    """``value`` in its analyte's default unit, converted to the unit ``spec`` describes."""
    return value / spec.factor


def convert(value: float, source: UnitSpec, target: UnitSpec) -> float:
    """``value`` in unit ``source`` converted to unit ``target`` (both of one analyte)."""
    if source.factor == target.factor:
        return value
    return from_default(to_default(value, source), target)
