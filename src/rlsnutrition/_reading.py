"""What ``assess`` reads, as public functions for apps and adapters that read lab values one at
a time or judge in bulk: one value read (``read_value``, ``parse_value``, ``lookup_unit``,
``plausible_range``) and what a verdict reads (``cut_points``, ``judged_by``,
``context_key``, ``missing_tests``).

Each is a thin face over what ``assess`` itself uses (``_parse``, ``_units``, ``_rules``,
``_panel``), so a value they accept, the number they give and the error they raise are exactly
``assess``'s, and the cut points and facts they name are those the rules compare with and read.
The FHIR reader and ``assess_frame`` are built on them, with no private import.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from ._knowledge import knowledge
from ._panel import panel_for
from ._parse import find_analyte, judged_value, parse_number
from ._parse import plausible_range as _plausible_range
from ._rules import hemoglobin_cutoff, rules_for
from ._units import unit_spec
from .assessment import Finding, JudgedValue
from .errors import InvalidArgumentError, show
from .knowledge import lookup_nutrient
from .labs import Context, LabResult
from .model import UNITS, Analyte, Nutrient, Units, UnitSpec

__all__ = [
    "context_key",
    "cut_points",
    "judged_by",
    "lookup_unit",
    "missing_tests",
    "parse_value",
    "plausible_range",
    "read_value",
]


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
    _check_units(units)
    return judged_value(_analyte(analyte), value, knowledge(), units)


def parse_value(analyte: str | Analyte, value: object) -> LabResult:
    """A value split as [`assess()`][rlsnutrition.assess] first splits it: the number, the
    unit as written and the comparator, before any unit or plausibility check.

    For a string (``"<5 ng/mL"``) that is the number, the comparator before it and the text
    after it, stripped (None when there is none); a number is itself, with no unit. The result
    is a [`LabResult`][rlsnutrition.LabResult] for the analyte's id, which
    [`read_value()`][rlsnutrition.read_value] and ``assess`` read as the value itself. Use it to
    store a lab's text as a structured result; use ``read_value`` to check and convert it.
    Nothing is judged here: a negative, NaN or infinite number is split as written, and
    ``read_value`` (like ``assess``) refuses it.

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


def lookup_unit(
    analyte: str | Analyte, unit: str | None = None, *, units: Units = "conventional"
) -> UnitSpec:
    """The accepted unit of ``analyte`` that a unit as written names, as
    [`assess()`][rlsnutrition.assess] reads it: any case, ``u`` or ``mc`` for ``µ``, spaces
    around it. None (or a blank) names the analyte's default unit for ``units``.

    The [`UnitSpec`][rlsnutrition.UnitSpec]'s ``factor`` converts a value in that unit to the
    analyte's default unit (multiply by it), as [`convert()`][rlsnutrition.convert] does.

    Args:
        analyte: an analyte id, alias or LOINC code, or an [`Analyte`][rlsnutrition.Analyte].
        unit: the unit as written, or None.
        units: ``"conventional"`` or ``"si"``: the unit None names.

    Examples:
        >>> import rlsnutrition as rn
        >>> spec = rn.lookup_unit("hemoglobin", "G/L")
        >>> spec.unit, spec.factor
        ('g/L', 0.1)
        >>> rn.lookup_unit("vitamin_d", units="si").unit
        'nmol/L'

    Raises:
        UnknownAnalyteError: ``analyte`` names no analyte.
        UnknownUnitError: ``unit`` is not one the analyte accepts.
        InvalidArgumentError: ``units`` is neither "conventional" nor "si".
    """
    return unit_spec(_analyte(analyte), unit, knowledge(), _check_units(units))


def plausible_range(analyte: str | Analyte) -> tuple[float, float]:
    """The values of ``analyte``, in its default unit, that [`assess()`][rlsnutrition.assess]
    reads: from the lower bound to the upper, both included. A value outside it, once converted
    to the default unit, is refused as impossible (`InvalidLabValueError`, naming the unit it
    most likely was in); the bounds are the cited ``Analyte.plausibility`` and, for a
    percentage, 100 %. Where the data sets no bound the range is 0 to the largest float.

    Args:
        analyte: an analyte id, alias or LOINC code, or an [`Analyte`][rlsnutrition.Analyte].

    Examples:
        >>> import rlsnutrition as rn
        >>> rn.plausible_range("tsat")
        (1.0, 100.0)
        >>> rn.plausible_range("hemoglobin")[1]
        30.0

    Raises:
        UnknownAnalyteError: ``analyte`` names no analyte.
    """
    return _plausible_range(_analyte(analyte), knowledge())


def cut_points(analyte: str | Analyte, unit: str | None = None) -> tuple[float, ...]:
    """Where a verdict may change: the values of ``analyte``, in its default unit, that the
    rules compare a value given in ``unit`` with, in ascending order.

    A value's place among them (below, at or between two of them) is all the rules read of it:
    two values of ``analyte`` given in the same unit that fall in the same place get the same
    status, actions and warnings, whatever else the panel holds (but for serum iron and TIBC,
    which also give a TSAT where none is reported: TSAT's cut points judge that). Compare
    [`read_value()`][rlsnutrition.read_value]'s ``value`` with the cut points of its
    ``given_unit``. They differ by unit where a source publishes a cut-off in several units
    ("50 nmol/L (20 ng/mL)"): a value given in nmol/L meets the nmol/L figure.

    Args:
        analyte: an analyte id, alias or LOINC code, or an [`Analyte`][rlsnutrition.Analyte].
        unit: the unit values are given in, in any spelling ``assess`` reads; None for the
            analyte's default unit.

    Examples:
        >>> import rlsnutrition as rn
        >>> rn.cut_points("plp")
        (20.0, 30.0)
        >>> rn.cut_points("vitamin_d", "nmol/L")  # in ng/mL: 30, 50 and 125 nmol/L
        (12.018, 20.03, 50.075)

    Raises:
        UnknownAnalyteError: ``analyte`` names no analyte.
        UnknownUnitError: ``unit`` is not one the analyte accepts.
    """
    a = _analyte(analyte)
    k = knowledge()
    return tuple(rules_for(k).points_by_scale[a.id][unit_spec(a, unit, k).unit])


def judged_by(nutrient: str | Nutrient) -> tuple[str, ...]:
    """The analytes a nutrient's finding is judged on: its status, actions and rationale read
    these values and no others (a TSAT that ``assess`` derives from serum iron and TIBC counts
    as a TSAT). The finding may report more (``Nutrient.lab_tests``).

    Args:
        nutrient: anything [`lookup_nutrient()`][rlsnutrition.lookup_nutrient] takes, or a
            [`Nutrient`][rlsnutrition.Nutrient].

    Examples:
        >>> import rlsnutrition as rn
        >>> rn.judged_by("magnesium")
        ('magnesium', 'egfr')
        >>> rn.judged_by("iron")
        ('ferritin', 'tsat', 'crp')

    Raises:
        UnknownNutrientError: the nutrient is not known.
        TypeError: ``nutrient`` is neither a string nor a Nutrient.
    """
    nid = lookup_nutrient(nutrient.id if isinstance(nutrient, Nutrient) else nutrient).id
    return rules_for(knowledge()).nutrient_rules[nid].judges


def context_key(
    context: Context, *, part: Literal["findings", "warnings"] | None = None
) -> tuple[object, ...]:
    """The facts of ``context`` that [`assess()`][rlsnutrition.assess] reads, as a hashable
    key: two contexts with equal keys get equal assessments of equal labs. With
    ``part="findings"``, only what the findings read (equal keys, equal findings); with
    ``part="warnings"``, only what the warnings read. Use it to judge many people in bulk: one
    judgement per distinct key and panel. A key compares equal only to keys of the same
    ``part`` from the same version of the library; its contents are not a contract.

    Args:
        context: a [`Context`][rlsnutrition.Context].
        part: None for the whole assessment, ``"findings"`` or ``"warnings"``.

    Examples:
        >>> import rlsnutrition as rn
        >>> woman, man = rn.Context(sex="female", age=40), rn.Context(sex="male", age=40)
        >>> rn.context_key(woman, part="findings") == rn.context_key(man, part="findings")
        True
        >>> rn.context_key(woman) == rn.context_key(man)  # the anaemia cut-off differs
        False

    Raises:
        TypeError: ``context`` is not a Context.
        InvalidArgumentError: ``part`` is not None, "findings" or "warnings".
    """
    if not isinstance(context, Context):
        raise TypeError(f"context must be a rlsnutrition.Context, not {type(context).__name__}")
    if part not in (None, "findings", "warnings"):
        raise InvalidArgumentError(f"part must be 'findings', 'warnings' or None, not {show(part)}")
    rules = rules_for(knowledge())
    findings = rules.verdict_flags(context) if part != "warnings" else ()
    if part == "findings":
        return findings
    cut = hemoglobin_cutoff(context, rules)
    warnings = (cut.threshold.id if cut is not None else None, rules.is_child(context))
    return warnings if part == "warnings" else (findings, warnings)


def missing_tests(measured: Iterable[str], findings: Iterable[Finding]) -> tuple[str, ...]:
    """The tests worth doing next, as [`Assessment.missing_tests`][rlsnutrition.Assessment]
    lists them, from the analytes measured and the findings: ferritin and TSAT whenever
    either is missing, CRP beside a ferritin, MMA for a borderline B12, and the first test of
    each nutrient not tested, in the order of [`analytes()`][rlsnutrition.analytes]. It
    reads only which analytes were measured (a TSAT ``assess`` derived counts) and each
    finding's nutrient, status and actions, so findings put together from several
    assessments give what one assessment of them all would.

    Args:
        measured: the analytes measured: ids, aliases or LOINC codes.
        findings: the findings, in any order.

    Examples:
        >>> import rlsnutrition as rn
        >>> a = rn.assess({"ferritin": 45, "vitamin_d": 25})
        >>> rn.missing_tests(["ferritin", "25-OH D"], a.findings) == a.missing_tests
        True
        >>> a.missing_tests[:3]
        ('tsat', 'crp', 'vitamin_b12')

    Raises:
        UnknownAnalyteError: a measured analyte names no analyte.
        TypeError: ``measured`` is a string or no iterable of them, ``findings`` is no
            iterable, or a finding is not a [`Finding`][rlsnutrition.Finding].
    """
    if isinstance(measured, (str, bytes)) or not isinstance(measured, Iterable):
        raise TypeError(f"measured must be an iterable of analyte keys, not {show(measured)}")
    k = knowledge()
    given = {find_analyte(key, k).id: None for key in measured}
    if not isinstance(findings, Iterable):
        raise TypeError(f"findings must be an iterable of Finding records, not {show(findings)}")
    chosen = tuple(findings)
    for f in chosen:
        if not isinstance(f, Finding):
            raise TypeError(f"findings must be Finding records, not {type(f).__name__}")
    # (the panel reads only the keys of the measurements it is given)
    return panel_for(rules_for(k)).missing_tests(given, chosen)  # type: ignore[arg-type]


def _check_units(units: Units) -> Units:
    if units not in UNITS:
        raise InvalidArgumentError(f"units must be 'conventional' or 'si', not {show(units)}")
    return units


def _analyte(key: str | Analyte) -> Analyte:
    """The loaded analyte a key names; an Analyte by its id (so a copy reads as the original)."""
    return find_analyte(key.id if isinstance(key, Analyte) else key, knowledge())
