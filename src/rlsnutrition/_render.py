"""Words for the judges' reasons: each `rlsnutrition._rules.Step` becomes a
`Reason` with its sentence, and a finding's rationale is its reasons' sentences joined.

The only place a rationale is written. A threshold reason quotes the value as given, the
cut-off on the same scale, and what the cut-off means; one that does not hold says so, so the
meaning of a cut-off is never read as a claim about a value on its other side. A note reason
is its sentence from rules.json. The words here are presentation, not clinical content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ._rules import Rules, Step
from .assessment import Reason

# How a rationale names each analyte.
NAMES = {
    "ferritin": "ferritin",
    "tsat": "TSAT",
    "serum_iron": "serum iron",
    "tibc": "TIBC",
    "hemoglobin": "hemoglobin",
    "crp": "CRP",
    "vitamin_b12": "vitamin B12",
    "mma": "MMA",
    "homocysteine": "homocysteine",
    "vitamin_d": "25(OH)D",
    "folate": "serum folate",
    "rbc_folate": "red-cell folate",
    "magnesium": "magnesium",
    "plp": "PLP",
    "egfr": "eGFR",
}
_SHOWN = {"<": "<", "<=": "\u2264", ">": ">", ">=": "\u2265"}
_NEGATED = {"<": "\u2265", "<=": ">", ">": "\u2264", ">=": "<"}


class Wording:
    """The sentence pieces of every step, built once per step kind and remembered."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._parts: dict[Step, tuple[str, str]] = {}
        self._notes: dict[str, Reason] = {}

    def parts(self, step: Step) -> tuple[str, str]:
        """A threshold step's words before and after the value: ``("ferritin ", " ng/mL ≤ 75
        ng/mL: ...")``."""
        found = self._parts.get(step)
        if found is None:
            assert step.threshold is not None
            assert step.analyte is not None
            cut = self.rules.cuts[step.threshold]
            t = cut.threshold
            scale = step.scale or cut.unit
            if step.held:
                rest = f" {scale} {_SHOWN[t.comparator]} {cut.limit[scale]}: {t.meaning}"
            else:
                rest = (
                    f" {scale} {_NEGATED[t.comparator]} {cut.limit[scale]}, which does not "
                    f"meet the cut-off for: {t.meaning}"
                )
            found = self._parts[step] = (NAMES.get(step.analyte, step.analyte) + " ", rest)
        return found

    def note(self, code: str) -> Reason:
        """The reason a note step gives (the same object every time)."""
        found = self._notes.get(code)
        if found is None:
            found = self._notes[code] = Reason(None, None, True, self.rules.notes[code].text, code)
        return found

    def reason(self, step: Step, shown: Mapping[str, str]) -> Reason:
        """``step`` in words, quoting each value as ``shown`` (analyte: value as given)."""
        if step.note is not None:
            return self.note(step.note)
        assert step.analyte is not None
        before, after = self.parts(step)
        return Reason(step.threshold, step.analyte, step.held, before + shown[step.analyte] + after)


def rationale(reasons: Iterable[Reason]) -> str:
    """The reasons' sentences as one rationale, starting with a capital."""
    return capitalized("; ".join(r.text for r in reasons))


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def censored(ranges: str, possible: list[str] | None) -> str:
    """What a censored result ("<5") meant for the verdict."""
    if possible is None:
        return f"reported as {ranges}, which gives the same result across its whole range"
    return f"reported as {ranges}, which could mean {' or '.join(possible)}"
