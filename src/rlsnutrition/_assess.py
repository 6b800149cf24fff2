"""``assess``: a person's labs and context in, a cited per-nutrient judgement out."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, overload

from ._knowledge import Knowledge, knowledge
from ._panel import Panel, panel_for, with_note
from ._parse import derive_tsat, read_labs
from ._rules import rules_for
from .assessment import DISCLAIMER, Assessment, _constructor
from .errors import InvalidArgumentError, RLSNutritionError, show
from .labs import Context
from .model import UNITS, Units

__all__ = ["assess", "assess_many"]

_DEFAULT_CONTEXT = Context()


def assess(
    labs: object, *, context: Context | None = None, units: Units = "conventional"
) -> Assessment:
    """Judge a person's labs for the six RLS-linked nutrients.

    ``labs`` maps an analyte (id, alias or LOINC code) to a value: a number in the analyte's
    default unit for ``units``, a string such as ``"45 ng/mL"`` or ``"<5"``, a ``(value,
    unit)`` tuple, or a [`LabResult`][rlsnutrition.LabResult]. An iterable of LabResults (or what
    [`fhir.read()`][rlsnutrition.fhir.read] returns) works too. ``units="conventional"`` (the default)
    reads a number without a unit in US units (ferritin ng/mL, hemoglobin g/dL, magnesium
    mg/dL); ``units="si"`` in SI units (µg/L, g/L, mmol/L).

    Examples:
        >>> a = assess({"ferritin": 45, "tsat": "18 %"})
        >>> a.finding("iron").status.value
        'low'
        >>> [n.code for n in a.finding("iron").actions]
        ['consider-oral-iron', 'consider-iv-iron', 'see-clinician']
        >>> assess({"magnesium": 0.8}, units="si").finding("magnesium").values[0].given_unit
        'mmol/L'

    Raises:
        UnknownAnalyteError: a lab key names no analyte.
        UnknownUnitError: a unit is unknown or not convertible for its analyte.
        InvalidLabValueError: a value is negative, not finite, unreadable or impossible (past
            a plausibility bound; the message names the unit it most likely was in).
        InvalidArgumentError: ``units`` is neither "conventional" nor "si".
        TypeError: ``labs`` is not a mapping or an iterable, or ``context`` is not a Context.
    """
    # What rlsnutrition.fhir.read returns brings its subject, context and warnings along.
    fhir = sys.modules.get("rlsnutrition.fhir")
    read = labs if fhir is not None and isinstance(labs, fhir.FhirLabs) else None
    if context is None:
        context = read.context if read is not None and read.context else _DEFAULT_CONTEXT
    elif not isinstance(context, Context):
        raise TypeError(f"context must be a rlsnutrition.Context, not {type(context).__name__}")
    if units not in UNITS:
        raise InvalidArgumentError(f"units must be 'conventional' or 'si', not {show(units)}")
    k = knowledge()
    return _assess(labs, context, units, k, panel_for(rules_for(k)), read)


def _assess(
    labs: object, context: Context, units: Units, k: Knowledge, panel: Panel, read: Any
) -> Assessment:
    """`assess` once its arguments are checked, with the knowledge and panel judge at hand;
    ``read`` is what rlsnutrition.fhir.read returned when that is what ``labs`` is, else None
    (fhir is a layer above this one)."""
    measured = read_labs(labs, k, units)
    derived = derive_tsat(measured, k)
    findings = panel.findings(measured, context)
    if derived:
        findings = with_note(panel, findings, "iron", "iron.tsat-derived")
    warnings = tuple(panel.warnings(measured, context))
    if read is not None:
        warnings += read.assessment_warnings()
    return _assessment(
        findings,
        panel.missing_tests(measured, findings),
        warnings,
        DISCLAIMER,
        k.info.version,
        read.subject if read is not None else None,
    )


_assessment = _constructor(Assessment)


@overload
def assess_many(
    panels: Iterable[object],
    *,
    context: Context | None = None,
    units: Units = "conventional",
    errors: Literal["raise"] = "raise",
) -> Iterator[Assessment]: ...


@overload
def assess_many(
    panels: Iterable[object],
    *,
    context: Context | None = None,
    units: Units = "conventional",
    errors: Literal["return"],
) -> Iterator[Assessment | RLSNutritionError]: ...


def assess_many(
    panels: Iterable[object],
    *,
    context: Context | None = None,
    units: Units = "conventional",
    errors: Literal["raise", "return"] = "raise",
) -> Iterator[Assessment] | Iterator[Assessment | RLSNutritionError]:
    """``assess`` each panel in turn, lazily: one Assessment per panel, in order.

    A panel is anything [`assess()`][rlsnutrition.assess] takes, or a ``(labs, Context)`` pair whose context
    wins over ``context``. With ``errors="raise"`` (the default) a panel that fails stops the
    iteration with its error; with ``errors="return"`` its [`RLSNutritionError`][rlsnutrition.RLSNutritionError] is
    yielded in its place and the batch goes on. Either way the error's ``panel_index``
    attribute says which panel it was (counting from 0), on every Python; on 3.11 and later
    its traceback carries a note saying so too.

    Examples:
        >>> panels = [{"ferritin": 45}, ({"ferritin": 45}, Context(dialysis=True)), {"x": 1}]
        >>> [type(r).__name__ for r in assess_many(panels, errors="return")]
        ['Assessment', 'Assessment', 'UnknownAnalyteError']

    Raises:
        InvalidArgumentError: ``errors`` is neither "raise" nor "return", or ``panels`` is a
            single panel (a mapping) or a string.
        TypeError: a panel is of a type ``assess`` does not take (with its ``panel_index``,
            whatever ``errors`` says: that is a bug in the caller, not bad data).
    """
    if errors not in ("raise", "return"):
        raise InvalidArgumentError(f"errors must be 'raise' or 'return', not {show(errors)}")
    if isinstance(panels, (str, bytes, Mapping)):
        what = (
            "a single panel (a mapping): use assess()"
            if isinstance(panels, Mapping)
            else "a string"
        )
        raise InvalidArgumentError(f"assess_many() takes an iterable of panels, not {what}")
    if context is not None and not isinstance(context, Context):
        raise TypeError(f"context must be a rlsnutrition.Context, not {type(context).__name__}")
    if units not in UNITS:
        raise InvalidArgumentError(f"units must be 'conventional' or 'si', not {show(units)}")
    return _each(iter(panels), context, units, errors == "return")


def _each(
    panels: Iterator[object], context: Context | None, units: Units, keep_going: bool
) -> Iterator[Assessment | RLSNutritionError]:
    k: Knowledge | None = None
    judge: Panel | None = None
    for i, panel in enumerate(panels):
        try:
            labs, ctx = panel, context
            if type(panel) is tuple and len(panel) == 2 and isinstance(panel[1], Context):
                labs, ctx = panel
            if type(labs) is dict:  # the common case: what assess() checks is checked above
                if knowledge() is not k or judge is None:  # a reload between panels is honoured
                    k = knowledge()
                    judge = panel_for(rules_for(k))
                ctx = ctx if ctx is not None else _DEFAULT_CONTEXT
                result = _assess(labs, ctx, units, k, judge, None)
            else:
                result = assess(labs, context=ctx, units=units)
        except (RLSNutritionError, TypeError) as exc:
            exc.panel_index = i  # type: ignore[union-attr]  # TypeError has no such slot
            if sys.version_info >= (3, 11):
                exc.add_note(f"in panel {i} given to assess_many()")
            if keep_going and isinstance(exc, RLSNutritionError):
                yield exc
                continue
            raise
        yield result
