"""``assess``: a person's labs and context in, a cited per-nutrient judgement out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from ._knowledge import knowledge
from ._parse import read_labs
from ._rules import judge_panel, missing_tests, rules_for, warnings
from .assessment import Assessment
from .errors import InvalidArgumentError, RLSNutritionError
from .labs import Context

__all__ = ["assess", "assess_many"]

_DEFAULT_CONTEXT = Context()


def assess(labs: object, *, context: Context | None = None) -> Assessment:
    """Judge a person's labs for the six RLS-linked nutrients.

    ``labs`` maps an analyte (id, alias or LOINC code) to a value: a number in the analyte's
    default unit, a string such as ``"45 ng/mL"`` or ``"<5"``, a ``(value, unit)`` tuple, or a
    :class:`LabResult`. An iterable of LabResults (or what :func:`rlsnutrition.fhir.read`
    returns) works too.

    Examples:
        >>> a = assess({"ferritin": 45, "tsat": "18 %"})
        >>> a.finding("iron").status.value
        'low'
        >>> [n.code for n in a.finding("iron").actions]
        ['consider-oral-iron', 'consider-iv-iron', 'see-clinician']

    Raises:
        UnknownAnalyteError: a lab key names no analyte.
        UnknownUnitError: a unit is unknown or not convertible for its analyte.
        InvalidLabValueError: a value is negative, not finite, unreadable or impossible.
        TypeError: ``labs`` is not a mapping or an iterable, or ``context`` is not a Context.
    """
    if context is None:
        context = _DEFAULT_CONTEXT
    elif not isinstance(context, Context):
        raise TypeError(f"context must be a rlsnutrition.Context, not {type(context).__name__}")
    k = knowledge()
    rules = rules_for(k)
    measured = read_labs(labs, k)
    findings = judge_panel(measured, context, rules)
    return Assessment(
        findings=findings,
        missing_tests=missing_tests(measured, findings, rules),
        warnings=tuple(warnings(measured, context, rules)),
        knowledge_version=k.info.version,
    )


def assess_many(
    panels: Iterable[object], *, context: Context | None = None
) -> Iterator[Assessment]:
    """``assess`` each panel in turn, lazily; equal to ``(assess(p, context=context) ...)``.

    An error in one panel stops the iteration, as it would in that generator expression; on
    Python 3.11 and later its traceback carries a note saying which panel (counting from 0).
    """
    if isinstance(panels, (str, bytes, Mapping)):
        what = (
            "a single panel (a mapping): use assess()"
            if isinstance(panels, Mapping)
            else "a string"
        )
        raise InvalidArgumentError(f"assess_many() takes an iterable of panels, not {what}")
    for i, panel in enumerate(panels):
        try:
            result = assess(panel, context=context)
        except (RLSNutritionError, TypeError) as exc:
            if hasattr(exc, "add_note"):  # Python 3.11+
                exc.add_note(f"in panel {i} given to assess_many()")
            raise
        yield result
