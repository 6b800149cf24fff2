"""A whole panel judged: a finding per nutrient, the cross-cutting warnings and the tests worth
doing next. The clinical logic is in ``_rules``, the words in ``_render``; what is here is
bookkeeping: which measurements each finding reports, censored results judged at both ends,
and a memo of verdicts by where each value falls among its analyte's cut points.
"""

from __future__ import annotations

import itertools
import math
import operator
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import attrs

from ._render import Wording, capitalized, censored, rationale
from ._rules import BuiltOnce, Cut, Judge, Rules, Step, first_tests, hemoglobin_cutoff, judge
from .assessment import Finding, JudgedValue, Note, Reason, Status, _constructor
from .labs import Context
from .model import NUTRIENT_IDS, Reference

MEMO_SIZE = 4_096  # verdicts kept per process (real panels need a few hundred)
_NOTE = Step(None, None, None, True, None)  # a reason written here, not by a judge


class Verdict(NamedTuple):
    """A judgement without its values: the status, actions and sources, and the reasons in
    words, each either whole (a note) or in two parts around the value it quotes."""

    status: Status
    actions: tuple[Note, ...]
    references: tuple[Reference, ...]
    # Every reason when none quotes a value; else the reasons with None where one does.
    reasons: tuple[Reason | None, ...]
    # Per reason that quotes a value: its place among the reasons, its place in `pieces`, and
    # what builds it around the value (threshold, analyte, held, words before and after).
    quoted: tuple[tuple[int, int, str | None, str, bool, str, str], ...]
    # The rationale in pieces, with "" where each quoted value goes; its first letter is
    # already a capital, unless it is a quoted value's (then `capitalize` says so).
    pieces: tuple[str, ...]
    capitalize: bool
    rationale: str  # the rationale, when no reason quotes a value

    def finding(
        self,
        nid: str,
        relevant: Sequence[JudgedValue],
        labs: Mapping[str, JudgedValue],
        reported: bool = False,
    ) -> Finding:
        """The finding for ``relevant``, quoting each value of ``labs`` its reasons read as
        given (``45``), or ``reported`` with its censoring (``<5``)."""
        status, actions, references, reasons, quoted, pieces, capitalize, text = self
        if len(reasons) == 1 and quoted:  # one reason, quoting one value: no lists to fill
            _, _, threshold, analyte, held, before, after = quoted[0]
            m = labs[analyte]
            value = _as_reported(m) if reported else format(m.given_value, ".4g")
            reasons = (_reason(threshold, analyte, held, before + value + after, None),)
            text = pieces[0] + value + after  # (pieces: its words before, capitalised, "", after)
            if capitalize:
                text = capitalized(text)
        elif quoted:
            built = list(reasons)
            filled = list(pieces)
            for i, at, threshold, analyte, held, before, after in quoted:
                m = labs[analyte]
                value = filled[at] = _as_reported(m) if reported else format(m.given_value, ".4g")
                built[i] = _reason(threshold, analyte, held, before + value + after, None)
            reasons = tuple(built)
            text = capitalized("".join(filled)) if capitalize else "".join(filled)
        return _finding(nid, status, text, actions, references, tuple(relevant), reasons)


_reason = _constructor(Reason)
_finding = _constructor(Finding)
_note = _constructor(Note)


def _verdict(
    status: Status,
    actions: tuple[Note, ...],
    references: tuple[Reference, ...],
    parts: list[tuple[Reason | None, Step, str, str]],
) -> Verdict:
    """A verdict from its reasons: per reason, the Reason itself, or None and the step and
    words before and after the value it quotes."""
    reasons: list[Reason | None] = []
    quoted = []
    pieces: list[str] = []
    for i, (reason, step, before, after) in enumerate(parts):
        if i:
            pieces.append("; ")
        reasons.append(reason)
        if reason is not None:
            pieces.append(reason.text)
        else:
            assert step.analyte is not None
            pieces += [before, "", after]
            quoted.append(
                (i, len(pieces) - 2, step.threshold, step.analyte, step.held, before, after)
            )
    text = "".join(pieces)
    # rationale(): the reasons' texts joined, starting with a capital; capitalising the first
    # piece does the same, unless it is the (empty) place of a value.
    later = not pieces or not pieces[0]
    if not later:
        pieces[0] = capitalized(pieces[0])
    return Verdict(
        status,
        actions,
        references,
        tuple(reasons),
        tuple(quoted),
        tuple(pieces),
        later,
        "" if quoted else capitalized(text),
    )


_comparator = operator.attrgetter("comparator")
# What judging reads of a context: see Panel.facts.
_Facts = tuple[int, Cut | None, bool]
# An analyte's cut points per scale, looked up by a JudgedValue's given_unit, each with a
# number for its scale, so that one int says on which scale a value was given and where it
# falls: the scale's number + its place (0 to 2 x the most points on any scale). The points
# are kept as their edges (see _edges), so that one bisection finds the place.
_Points = dict[str | None, tuple[list[float], int]]


def _points(by_scale: Mapping[str, list[float]]) -> _Points:
    places = 2 * max((len(points) for points in by_scale.values()), default=0) + 1
    return {
        scale: (_edges(points), places * i) for i, (scale, points) in enumerate(by_scale.items())
    }


def _edges(points: Sequence[float]) -> list[float]:
    """Each of the ascending ``points`` and the float just above it: for a float ``v``,
    ``bisect_right(_edges(points), v)`` counts the points at or below ``v`` and those below
    it (a point is below ``v`` exactly when the float after it is at or below ``v``), which
    is ``bisect_left(points, v) + bisect_right(points, v)``: 2i below point i, 2i+1 at it."""
    return [edge for p in points for edge in (p, math.nextafter(p, math.inf))]


class Panel:
    """What judging a panel needs, built once per loaded knowledge."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.words = Wording(rules)
        k = rules.k
        self.first_tests = first_tests(rules)
        # Per nutrient: the analytes its finding reports (its lab_tests and those rules.json
        # adds), the analytes it judges with their cut points, and its finding with no lab
        # (the same for everyone, but magnesium's, whose kidney caution reads the context).
        self.plan: list[tuple[str, tuple[str, ...], tuple[str, ...], Finding | None]] = []
        for nid in NUTRIENT_IDS:
            rule = rules.nutrient_rules[nid]
            reported = tuple(dict.fromkeys((*k.nutrient_index[nid].lab_tests, *rule.also_reports)))
            self.plan.append((nid, reported, tuple(rule.judges), None))
        # The cut points of each analyte a nutrient judges, per scale.
        self.cut_points = {
            a: _points(rules.points_by_scale[a]) for _, _, judged, _ in self.plan for a in judged
        }
        self.plan = [
            (
                nid,
                reported,
                judged,
                None if nid == "magnesium" else self.directly(nid, [], Context()),
            )
            for nid, reported, judged, _ in self.plan
        ]
        # Per nutrient as in `plan`, with two itemgetters: its values from a panel that holds
        # every analyte (a tuple; the value itself when it reports one: `one`), and its
        # verdict's key from the places of all judged analytes (a tuple; an int for one).
        self._steps = [
            (*step, operator.itemgetter(*step[1]), len(step[1]) == 1, operator.itemgetter(*step[2]))
            for step in self.plan
        ]
        self._unplaced: dict[str, int | None] = dict.fromkeys(self.cut_points)
        self.memo: dict[tuple[object, ...], Verdict] = {}
        self._facts: tuple[Context | None, _Facts] = (None, (-1, None, False))
        self._inflammation = tuple(
            rules.cuts[f"iron.{name}"]
            for name in ("crp.inflammation", "ferritin.deficient_inflammation", "ferritin.ceiling")
        )
        texts = rules.warning_texts
        self._inflamed_text = texts["ferritin-unreliable-inflammation"].text
        self._adult_thresholds = Note("adult-thresholds", texts["adult-thresholds"].text)
        # The anaemia warning's words around the value, per cut-off and scale (a few).
        self._anaemia: dict[tuple[Cut, str | None], tuple[str, str]] = {}
        self._flag_ids: dict[tuple[object, ...], int] = {}  # a few dozen contexts at most
        self._numbers = itertools.count()

    def verdict(self, j: Judge, note: Reason | None = None) -> Verdict:
        """``j`` as a verdict; ``note``, if given, is a last reason already in words."""
        words = self.words
        parts: list[tuple[Reason | None, Step, str, str]] = []
        for step in j.steps:
            if step.note is not None:
                parts.append((words.note(step.note), step, "", ""))
            else:
                parts.append((None, step, *words.parts(step)))
        if note is not None:
            parts.append((note, _NOTE, "", ""))
        return _verdict(
            j.status,
            tuple(self.rules.actions[code] for code in dict.fromkeys(j.actions)),
            self.rules.references(j.steps),
            parts,
        )

    def findings(self, labs: Mapping[str, JudgedValue], ctx: Context) -> tuple[Finding, ...]:
        """The finding for each nutrient, in ``NUTRIENT_IDS`` order. Equal, nutrient by
        nutrient, to `directly()` on the values each finding reports.

        The judges read a value only by comparing it with cut points, and read four facts of
        the context, so a verdict (status, actions, sources and the reasons' wording) is the
        same for every value that falls in the same place among its analyte's cut points.
        Verdicts are remembered under that key, in a bounded dict: judging a new panel costs
        two bisections per value and putting its values into the reasons' words. Censored
        results take the direct path.
        """
        flags = self.facts(ctx)[0]
        memo = self.memo
        get = labs.get
        # Where each judged value falls (2i+1 at cut point i, 2i below it; None where the
        # analyte is not measured), and whether any value is censored.
        places: dict[str, int | None] = self._unplaced.copy()
        censored = False
        cut_points = self.cut_points
        for analyte, m in labs.items():
            by_scale = cut_points.get(analyte)
            if by_scale is not None:
                edges, scale = by_scale[m.given_unit]
                places[analyte] = scale + bisect_right(edges, m.value)
            if m.comparator is not None:
                censored = True
        every = len(labs) == len(self.rules.analyte_order)  # every analyte measured
        out: list[Finding] = []
        for nid, reported, judged, not_tested, values_of, one, place_of in self._steps:
            if every:
                relevant = (values_of(labs),) if one else values_of(labs)
            else:
                relevant = tuple(filter(None, map(get, reported)))
                if not relevant and not_tested is not None:
                    out.append(not_tested)
                    continue
            if censored and any(map(_comparator, relevant)):  # (a comparator is never "")
                out.append(self.directly(nid, relevant, ctx))
                continue
            memo_key = (nid, flags, place_of(places))
            verdict = memo.get(memo_key)
            if verdict is None:
                present = [labs[a] for a in judged if a in labs]
                x = {m.analyte: m.value for m in present}
                scales = {m.analyte: m.given_unit or m.unit for m in present}
                verdict = self.verdict(judge(nid, x, ctx, self.rules, scales))
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[memo_key] = verdict
            out.append(verdict.finding(nid, relevant, labs))
        return tuple(out)

    def facts(self, ctx: Context) -> _Facts:
        """What judging reads of ``ctx``: a number for its `Rules.verdict_flags` (equal
        flags, equal numbers), its anaemia cut-off and whether it is a child's; worked out
        once for the context of a run of panels (a Context is frozen: the same object has the
        same facts)."""
        last = self._facts
        if last[0] is not ctx:
            flags = self.rules.verdict_flags(ctx)
            # each call takes a fresh number, so no two flags ever share one, even across threads
            number = self._flag_ids.setdefault(flags, next(self._numbers))
            facts = (number, hemoglobin_cutoff(ctx, self.rules), self.rules.is_child(ctx))
            last = self._facts = (ctx, facts)
        return last[1]

    def directly(self, nid: str, relevant: Sequence[JudgedValue], ctx: Context) -> Finding:
        """The finding for ``nid`` from its ``relevant`` values, judged afresh. A censored
        result ("<5") is judged at both ends of the range it allows."""
        plain = {m.analyte: m.value for m in relevant}
        given = {m.analyte: m for m in relevant}
        scales = {m.analyte: m.given_unit or m.unit for m in relevant}
        cens = [m for m in relevant if m.comparator is not None]
        if not cens:
            return self.verdict(judge(nid, plain, ctx, self.rules, scales)).finding(
                nid, relevant, given
            )
        outcomes = []
        for ends in itertools.product(*(_bounds(m) for m in cens)):
            x = dict(plain)
            x.update({m.analyte: e for m, e in zip(cens, ends, strict=True)})
            outcomes.append(judge(nid, x, ctx, self.rules, scales))
        ranges = ", ".join(f"{m.analyte} {_as_reported(m)} {m.given_unit}" for m in cens)
        if len({o.key() for o in outcomes}) == 1:
            note = Reason(None, None, True, censored(ranges, None))
            # quoted as reported: "<5"
            return self.verdict(outcomes[0], note).finding(nid, relevant, given, True)
        # The ends disagree: indeterminate, citing every cut-off either end was judged by;
        # but where every end is below target (deficient or low), the actions common to all
        # of them hold across the range, with the less severe status.
        statuses = {o.status for o in outcomes}
        status, codes = Status.INDETERMINATE, ["see-clinician"]
        if statuses <= {Status.DEFICIENT, Status.LOW}:
            status = Status.LOW if Status.LOW in statuses else Status.DEFICIENT
            codes = [c for c in outcomes[0].actions if all(c in o.actions for o in outcomes)]
        note = Reason(None, None, True, censored(ranges, sorted(s.value for s in statuses)))
        verdict = _verdict(
            status,
            tuple(self.rules.actions[c] for c in dict.fromkeys(codes)),
            self.rules.references([s for o in outcomes for s in o.steps]),
            [(note, _NOTE, "", "")],
        )
        return verdict.finding(nid, relevant, given, True)

    def warnings(self, labs: Mapping[str, JudgedValue], ctx: Context) -> list[Note]:
        """Cross-cutting notes: inflammation, anaemia, adult thresholds. A censored CRP or
        hemoglobin ("<10") warns only when the whole range it allows does."""
        _, cut, child = self.facts(ctx)
        out: list[Note] = []
        get = labs.get
        crp, ferritin, hb = get("crp"), get("ferritin"), get("hemoglobin")
        if crp is not None and ferritin is not None:
            inflamed, deficient, ceiling = self._inflammation
            # Not beside a ferritin the iron finding reads as above the ceiling, not normal.
            if (
                _surely(crp, inflamed)
                and not _surely(ferritin, deficient)
                and not _surely(ferritin, ceiling)
            ):
                text = f"CRP {_as_reported(crp)} {crp.given_unit} {self._inflamed_text}"
                out.append(_note("ferritin-unreliable-inflammation", text))
        if hb is not None and cut is not None and _surely(hb, cut):
            words = self._anaemia.get((cut, hb.given_unit))
            if words is None:
                step = Step(cut.threshold.id, None, "hemoglobin", True, hb.given_unit)
                before, after = self.words.parts(step)
                words = self._anaemia[cut, hb.given_unit] = (capitalized(before), after)
            # (the reason's sentence, capitalised: its first words are never empty)
            out.append(_note("anaemia", words[0] + _as_reported(hb) + words[1]))
        if child:
            out.append(self._adult_thresholds)
        return out

    def missing_tests(
        self, labs: Mapping[str, JudgedValue], findings: tuple[Finding, ...]
    ) -> tuple[str, ...]:
        """Analytes worth measuring next, in analyte-registry order: ferritin and TSAT
        whenever either is missing, CRP beside a ferritin, MMA for a borderline B12, and the
        first test of each nutrient not tested."""
        order = self.rules.analyte_order
        if len(labs) == len(order):  # every analyte measured: none is worth testing next
            return ()
        wanted: set[str] = set()
        if "ferritin" not in labs or "tsat" not in labs:
            wanted |= {"ferritin", "tsat"}
        if "ferritin" in labs and "crp" not in labs:
            wanted.add("crp")
        for f in findings:
            if f.status is Status.NOT_TESTED:
                test = self.first_tests.get(f.nutrient)
                if test is not None:
                    wanted.add(test)
            elif f.nutrient == "vitamin_b12" and "check-mma" in f.action_codes():
                wanted.add("mma")
            elif f.nutrient == "vitamin_b12":  # judged on MMA or homocysteine alone
                wanted.add("vitamin_b12")
        wanted -= labs.keys()
        return tuple([a for a in order if a in wanted]) if wanted else ()


panel_for = BuiltOnce(Panel)
"""The panel judge for the compiled rules (built once)."""


def _as_reported(m: JudgedValue) -> str:
    """The value as a rationale shows it, with its censoring: ``5``, ``<5``."""
    return f"{m.comparator or ''}{m.given_value:.4g}"


def _surely(m: JudgedValue, cut: Cut) -> bool:
    """Whether ``cut`` holds for every value a (possibly censored) result allows."""
    limit = cut.value_for(m.given_unit)
    if m.comparator is None:
        return cut.holds_at(m.value, limit)
    return all(cut.holds_at(e, limit) for e in _bounds(m))


def _bounds(m: JudgedValue) -> tuple[float, ...]:
    """The extreme values a censored result allows."""
    if m.comparator == "<":
        return (0.0, math.nextafter(m.value, 0.0))
    if m.comparator == "<=":
        return (0.0, m.value)
    if m.comparator == ">":
        return (math.nextafter(m.value, math.inf), math.inf)
    return (m.value, math.inf)


def with_note(
    panel: Panel, findings: tuple[Finding, ...], nid: str, code: str
) -> tuple[Finding, ...]:
    """``findings`` with the note ``code`` of rules.json first among ``nid``'s reasons (and
    its sources among the finding's): a fact about the values, not a judgement."""
    note = panel.words.note(code)
    cited = panel.rules.notes[code].references
    out = []
    for f in findings:
        if f.nutrient == nid:
            reasons = (note, *f.reasons)
            refs = {r.id: r for r in (*f.references, *cited)}
            f = attrs.evolve(
                f, rationale=rationale(reasons), reasons=reasons, references=tuple(refs.values())
            )
        out.append(f)
    return tuple(out)
