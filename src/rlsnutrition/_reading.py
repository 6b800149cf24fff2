"""One value read the way ``assess`` reads it: public functions for apps and adapters that
take lab values one at a time (``read_value``, ``parse_value``).

These are thin faces over the reader ``assess`` itself uses (``_parse``), so a value they
accept, the number they give and the error they raise are exactly ``assess``'s.
"""

from __future__ import annotations

from ._knowledge import knowledge
from ._parse import UNITS, Units, find_analyte, measure, parse_number
from .assessment import JudgedValue
from .errors import InvalidArgumentError, show
from .labs import LabResult
from .model import Analyte

__all__ = ["parse_value", "read_value"]


def read_value(
    analyte: str | Analyte, value: object, *, units: Units = "conventional"
) -> JudgedValue:
    """One lab value read exactly as [`assess()`][rlsnutrition.assess] reads it.

    ``value`` is anything ``assess`` takes for one analyte: a number (in the analyte's
    default unit for ``units``), a string such as ``"45 ng/mL"``, ``"45ng/ml"`` or ``"<5"``, a
    ``(value, unit)`` tuple, or a [`LabResult`][rlsnutrition.LabResult]. The result is the
    [`JudgedValue`][rlsnutrition.JudgedValue] an assessment of it reports: ``value`` in the
    analyte's default unit (what the rules compare), ``given_value`` and ``given_unit`` (the
    number as given, and the accepted unit it was in), ``comparator`` for a censored result.
    It raises exactly what ``assess`` raises for that value, with the same message.

    Args:
        analyte: an analyte id, alias or LOINC code, or an [`Analyte`][rlsnutrition.Analyte].
        value: the value, in any form ``assess`` takes.
        units: ``"conventional"`` or ``"si"``: the unit a number without one is read in.

    Examples:
        >>> import rlsnutrition as rn
        >>> rn.read_value("25-OH D", "50 nmol/L")
        JudgedValue(analyte='vitamin_d', value=20.03, unit='ng/mL', comparator=None, given_value=50.0, given_unit='nmol/L', when=None)
        >>> rn.read_value("ferritin", "<5").comparator
        '<'
        >>> rn.read_value("ferritin", 45, units="si").given_unit
        'µg/L'
        >>> rn.read_value("hemoglobin", "130 g/dL")
        Traceback (most recent call last):
        ...
        rlsnutrition.InvalidLabValueError: hemoglobin value '130 g/dL' is impossible in g/dL (above 30 g/dL); it was most likely in g/L (130 g/L is plausible)

    Raises:
        UnknownAnalyteError: ``analyte`` names no analyte.
        UnknownUnitError: the unit is not one the analyte accepts.
        InvalidLabValueError: the value is negative, not finite, unreadable or impossible (past
            a plausibility bound; the message names the unit it most likely was in).
        InvalidArgumentError: ``units`` is neither "conventional" nor "si".
    """
    if units not in UNITS:
        raise InvalidArgumentError(f"units must be 'conventional' or 'si', not {show(units)}")
    k = knowledge()
    return measure(_analyte(analyte), value, k, units).judged


def parse_value(analyte: str | Analyte, value: object) -> LabResult:
    """A value split as [`assess()`][rlsnutrition.assess] first splits it: the number, the
    unit as written and the comparator, before any unit or plausibility check.

    For a string (``"<5 ng/mL"``) that is the number, the comparator before it and the text
    after it, stripped (None when there is none); a number is itself, with no unit. The result
    is a [`LabResult`][rlsnutrition.LabResult] for the analyte's id, which
    [`read_value()`][rlsnutrition.read_value] and ``assess`` read as the value itself. Use it to
    store a lab's text as a structured result; use ``read_value`` to check and convert it.

    Args:
        analyte: an analyte id, alias or LOINC code, or an [`Analyte`][rlsnutrition.Analyte].
        value: a number or a string.

    Examples:
        >>> import rlsnutrition as rn
        >>> rn.parse_value("ferritin", " ≤5ng/ml ")
        LabResult(analyte='ferritin', value=5.0, unit='ng/ml', comparator='<=', when=None)
        >>> rn.parse_value("B12", 300)
        LabResult(analyte='vitamin_b12', value=300.0, unit=None, comparator=None, when=None)

    Raises:
        UnknownAnalyteError: ``analyte`` names no analyte.
        InvalidLabValueError: ``value`` is not a number, nor a string that starts with one
            (after an optional ``<``, ``<=``, ``>`` or ``>=``).
    """
    a = _analyte(analyte)
    number, comparator, unit = parse_number(a, value)
    return LabResult(a.id, number, unit, comparator)


def _analyte(key: str | Analyte) -> Analyte:
    """The loaded analyte a key names; an Analyte by its id (so a copy reads as the original)."""
    return find_analyte(key.id if isinstance(key, Analyte) else key, knowledge())
