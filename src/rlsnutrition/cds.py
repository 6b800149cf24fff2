"""An Assessment as CDS Hooks 2.0 cards, so an EHR shows it where clinicians work.

A CDS service answers a hook (``patient-view``, say) with ``{"cards": [...]}``; [`cards()`][rlsnutrition.cds.cards]
makes that list from an [`Assessment`][rlsnutrition.Assessment]: one card per finding that needs
attention (any status but ``adequate`` and ``not_tested``) and one per warning. Each card is
a plain JSON-ready dict with the attributes of the CDS Hooks 2.0 specification's "Card
Attributes": ``uuid``, ``summary`` (under 140 characters), ``indicator`` (``info``,
``warning`` or ``critical``), ``detail`` (GitHub-flavoured Markdown) and ``source`` (``label``
and ``url``: the guideline behind the finding's verdict, where it has one).

Example:
    >>> import rlsnutrition as rn
    >>> from rlsnutrition import cds
    >>> result = rn.assess({"ferritin": 45, "tsat": 18})
    >>> [(c["indicator"], c["summary"]) for c in cds.cards(result)]  # doctest: +ELLIPSIS
    [('info', 'Iron: low (ferritin 45 ng/mL, TSAT 18 %) - consider oral iron, consider IV iron')]
"""

from __future__ import annotations

import re
import uuid as _uuid
from collections.abc import Mapping
from typing import Any

from . import Assessment, Finding, JudgedValue, Note, Reference, Status, lookup_nutrient

__all__ = ["INDICATORS", "PROJECT_SOURCE", "SUMMARY_LIMIT", "cards"]

SUMMARY_LIMIT = 140
"""CDS Hooks 2.0: a card's summary is a "one-sentence, <140-character" message."""

INDICATORS = ("info", "warning", "critical")
"""The card indicators of CDS Hooks 2.0, in order of increasing urgency."""

PROJECT_SOURCE: Mapping[str, str] = {
    "label": "rlsnutrition",
    "url": "https://pypi.org/project/rlsnutrition/",
}
"""The source of a card whose guidance has no reference of its own (a warning, say)."""

# How urgent each verdict is. A finding is never "critical": nothing these labs show calls
# for action within minutes, which is what an EHR shows a critical card for.
_STATUS_INDICATOR = {
    Status.DEFICIENT: "warning",
    Status.HIGH: "warning",
    Status.LOW: "info",
    Status.INDETERMINATE: "info",
}
_STATUS_WORDS = {
    Status.DEFICIENT: "deficient",
    Status.HIGH: "high",
    Status.LOW: "low",
    Status.INDETERMINATE: "cannot be judged from these labs",
}
# Warnings by code; a code not listed here (codes may be added) is "info".
_WARNING_INDICATOR = {
    "ferritin-unreliable-inflammation": "warning",
    "anaemia": "warning",
    "medication-may-worsen-rls": "warning",
}
# How a summary line names each action; see-clinician goes without saying on every card.
_ACTION_WORDS = {
    "consider-oral-iron": "consider oral iron",
    "consider-iv-iron": "consider IV iron",
    "avoid-iron-supplements": "avoid iron supplements",
    "check-mma": "check MMA",
    "magnesium-kidney-caution": "magnesium needs a clinician (kidneys)",
    "see-clinician": "",
}
# How a card names an analyte, short enough for a summary line, where its id will not do
# ("serum_iron" is "serum iron").
_SHORT_NAMES = {
    "tsat": "TSAT",
    "tibc": "TIBC",
    "crp": "CRP",
    "vitamin_b12": "B12",
    "mma": "MMA",
    "vitamin_d": "25(OH)D",
    "rbc_folate": "RBC folate",
    "plp": "PLP",
    "egfr": "eGFR",
}


def cards(
    assessment: Assessment,
    *,
    source: Mapping[str, str] | None = None,
    uuids: bool = True,
) -> list[dict[str, Any]]:
    """CDS Hooks 2.0 cards for an assessment: one per finding that needs attention, in
    nutrient order, then one per warning.

    ``source`` (a ``{"label": ..., "url": ...}`` mapping) names your service on cards whose
    guidance has no reference of its own; by default [`PROJECT_SOURCE`][rlsnutrition.cds.PROJECT_SOURCE]. A finding's
    card names the first reference behind its verdict (the guideline) instead. ``uuids``
    gives each card a fresh ``uuid`` (random), which a CDS client sends back with feedback;
    pass False for cards that compare equal across calls.

    Every card's detail ends with the assessment's disclaimer: the library informs and
    points to a clinician; it never prescribes a dose.

    Raises:
        TypeError: ``assessment`` is not an Assessment.
        InvalidArgumentError: ``source`` has no non-empty ``label``.
    """
    if not isinstance(assessment, Assessment):
        raise TypeError(f"cards() takes a rlsnutrition.Assessment, not {type(assessment).__name__}")
    fallback = _checked_source(source if source is not None else PROJECT_SOURCE)
    out = [
        _finding_card(f, assessment, fallback)
        for f in assessment.findings
        if f.status in _STATUS_INDICATOR
    ]
    out += [_warning_card(w, assessment, fallback) for w in assessment.warnings]
    if uuids:
        for card in out:
            card["uuid"] = str(_uuid.uuid4())
    return out


def _checked_source(source: Mapping[str, str]) -> dict[str, str]:
    from .errors import InvalidArgumentError, show

    label = source.get("label") if isinstance(source, Mapping) else None
    if not isinstance(label, str) or not label.strip():
        raise InvalidArgumentError(
            f"source must be a mapping with a non-empty 'label' (and a 'url'), not {show(source)}"
        )
    return {k: v for k, v in source.items() if isinstance(v, str)}


def _finding_card(f: Finding, a: Assessment, fallback: dict[str, str]) -> dict[str, Any]:
    name = lookup_nutrient(f.nutrient).name
    values = ", ".join(map(_value, f.values))
    head = f"{name}: {_STATUS_WORDS[f.status]}" + (f" ({values})" if values else "")
    todo = [_ACTION_WORDS.get(n.code, n.code.replace("-", " ")) for n in f.actions]
    todo = [t for t in todo if t]
    summary = head + (" - " + ", ".join(todo) if todo else " - discuss with a clinician")
    lines = [_md(f.rationale), ""]
    if f.actions:
        lines += [f"- {_md(n.text)} (`{n.code}`)" for n in f.actions] + [""]
    if f.values:
        lines += ["Values judged:", ""]
        lines += [f"- {_md(_value(v))}" + _taken(v) for v in f.values]
        lines.append("")
    if f.references:
        lines += ["Sources:", ""] + [f"- {_reference_md(r)}" for r in f.references] + [""]
    return _card(summary, _STATUS_INDICATOR[f.status], lines, a, _source(f.references, fallback))


def _warning_card(w: Note, a: Assessment, fallback: dict[str, str]) -> dict[str, Any]:
    indicator = _WARNING_INDICATOR.get(w.code, "info")
    return _card(w.text, indicator, [f"{_md(w.text)} (`{w.code}`)", ""], a, fallback)


def _card(
    summary: str, indicator: str, lines: list[str], a: Assessment, source: dict[str, str]
) -> dict[str, Any]:
    lines.append(f"*{_md(a.disclaimer)}*")
    return {
        "summary": _shorten(summary),
        "indicator": indicator,
        "detail": "\n".join(lines),
        "source": dict(source),
    }


def _value(v: JudgedValue) -> str:
    """The value as the lab gave it (as judged where that is unknown): ``ferritin 45 ug/L``."""
    shown = (v.given_value, v.given_unit) if v.given_value is not None else (v.value, v.unit)
    name = _SHORT_NAMES.get(v.analyte) or v.analyte.replace("_", " ")
    return f"{name} {v.comparator or ''}{shown[0]:.4g} {shown[1] or v.unit}"


def _taken(v: JudgedValue) -> str:
    return f" (taken {_md(v.when)})" if v.when else ""


def _source(references: tuple[Reference, ...], fallback: dict[str, str]) -> dict[str, str]:
    # The primary source of the guidance: a guideline where the verdict rests on one.
    ranked = sorted(references, key=lambda r: r.kind not in ("guideline", "consensus"))
    for r in ranked:
        url = _reference_url(r)
        if url is not None:
            return {"label": _shorten(f"{r.title} ({r.publisher}, {r.year})"), "url": url}
    return fallback


def _reference_url(r: Reference) -> str | None:
    if r.url:
        return r.url
    return f"https://doi.org/{r.doi}" if r.doi else None


def _reference_md(r: Reference) -> str:
    text = _md(str(r))
    url = _reference_url(r)
    return f"[{_md(r.title)}]({url}) {_md(f'{r.publisher}, {r.year}.')}" if url else text


def _shorten(text: str, limit: int = SUMMARY_LIMIT - 1) -> str:
    """``text`` cut at a word to fewer than 140 characters, with an ellipsis if cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "\u2026"


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(text: str) -> str:
    """Plain text as Markdown that shows it as it is (``<5`` is not a tag, ``*`` no emphasis)."""
    return _MARKDOWN.sub(r"\\\1", text)
