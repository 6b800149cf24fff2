"""How lab values are judged: the rules, each driven by cited thresholds from the data.

No clinical number lives in this module: every cut-off is looked up by id in
``data/thresholds.json``, where it carries its source. The rules only say which cut-offs
apply to whom and what follows when they hold.
"""

from __future__ import annotations

import itertools
import math
import operator
import string
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from typing import NamedTuple

from ._knowledge import Knowledge
from ._parse import Measurement
from ._units import from_default, to_default, unit_spec
from .assessment import Finding, Note, Status
from .errors import DataError
from .labs import Context
from .model import NUTRIENT_IDS, Analyte, Reference, Threshold

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_NEGATED = {"<": "\u2265", "<=": ">", ">": "\u2264", ">=": "<"}
_SHOWN = {"<": "<", "<=": "\u2264", ">": ">", ">=": "\u2265"}

ACTION_TEXT = {
    "consider-oral-iron": "Iron studies meet the RLS guideline criteria for oral iron: ask a "
    "clinician whether oral iron is right for you.",
    "consider-iv-iron": "Iron studies meet the RLS guideline criteria for intravenous iron: a "
    "clinician can say whether IV iron fits.",
    "avoid-iron-supplements": "Transferrin saturation is at or above the ceiling at which the RLS "
    "guidelines say iron must not be given: avoid iron supplements unless a clinician directs.",
    "check-mma": "Vitamin B12 is borderline: a methylmalonic acid (MMA) test can confirm or rule "
    "out deficiency.",
    "magnesium-kidney-caution": "With kidney disease or dialysis, magnesium can build up in the "
    "body: take magnesium supplements only under a clinician's care.",
    "repeat-fasting-iron-studies": "Repeat the iron studies in the morning, fasting, with no "
    "iron-containing supplements or food for 24 hours before the blood draw.",
    "see-clinician": "Discuss this result with a clinician.",
}

ADULT_AGE = 18

MEMO_SIZE = 4_096  # verdict templates kept per process (real panels need a few hundred)

_ACTION_NOTES = {code: Note(code, text) for code, text in ACTION_TEXT.items()}
_CHECK_MMA = _ACTION_NOTES["check-mma"]

NUTRIENT_TESTS: dict[str, tuple[str, ...]] = {
    "iron": ("ferritin", "tsat", "crp", "hemoglobin", "serum_iron", "tibc"),
    "magnesium": ("magnesium",),
    "vitamin_b12": ("vitamin_b12", "mma", "homocysteine"),
    "vitamin_b6": ("plp",),
    "vitamin_d": ("vitamin_d",),
    "folate": ("folate", "rbc_folate"),
}
# The analytes each rule reads (the others in NUTRIENT_TESTS are reported beside it).
JUDGED: dict[str, tuple[str, ...]] = {
    "iron": ("ferritin", "tsat", "crp"),
    "magnesium": ("magnesium", "egfr"),
    "vitamin_b12": ("vitamin_b12", "mma", "homocysteine", "egfr"),
    "vitamin_b6": ("plp",),
    "vitamin_d": ("vitamin_d",),
    "folate": ("folate", "rbc_folate"),
}
# What a finding reports: its tests, and the eGFR that magnesium's kidney caution and B12's
# reading of MMA consult.
_REPORTED = {
    nid: (*tests, *(("egfr",) if nid in ("magnesium", "vitamin_b12") else ()))
    for nid, tests in NUTRIENT_TESTS.items()
}
# The analyte to measure first when a nutrient was not tested at all.
_FIRST_TEST = {
    "magnesium": "magnesium",
    "vitamin_b12": "vitamin_b12",
    "vitamin_b6": "plp",
    "vitamin_d": "vitamin_d",
    "folate": "folate",
}


# Every threshold id the rules below consult; the data must define each.
REQUIRED_THRESHOLDS = (
    "iron.tsat.ceiling",
    "iron.crp.inflammation",
    "iron.ferritin.deficient",
    "iron.ferritin.deficient_inflammation",
    "iron.ferritin.oral_iron",
    "iron.ferritin.iv_iron",
    "iron.ferritin.ceiling",
    "iron.ferritin.oral_iron_child",
    "iron.tsat.oral_iron",
    "iron.tsat.iv_iron",
    "iron.esrd.ferritin.iv_iron",
    "iron.esrd.tsat.iv_iron",
    "iron.hemoglobin.anaemia_female",
    "iron.hemoglobin.anaemia_male",
    "iron.hemoglobin.anaemia_pregnant",
    "kidney.egfr.impaired",
    "b12.serum.deficient",
    "b12.serum.borderline",
    "b12.mma.elevated",
    "b12.homocysteine.elevated",
    "vitd.deficient",
    "vitd.inadequate",
    "vitd.high",
    "folate.serum.deficient",
    "folate.serum.possible_deficiency",
    "folate.rbc.deficient",
    "folate.rbc.possible_deficiency",
    "mg.serum.deficient",
    "mg.serum.low",
    "mg.serum.high",
    "b6.plp.deficient",
    "b6.plp.low",
)


class Cut:
    """A threshold compiled for judging: its value in the analyte's default unit, and on each
    scale (accepted unit) where its source publishes a rounded equivalent, that figure."""

    __slots__ = ("by_scale", "holds_at", "limit", "templates", "threshold", "unit", "value")

    def __init__(self, threshold: Threshold, analyte: Analyte, k: Knowledge) -> None:
        spec = unit_spec(analyte, threshold.unit, k)
        self.threshold = threshold
        self.value = value = to_default(threshold.value, spec)
        self.unit = analyte.default_unit
        self.holds_at = _OPS[threshold.comparator]
        self.templates: dict[tuple[str, bool, str | None], str] = {}  # see template()
        # A value given on a scale the source also states the cut-off on ("50 nmol/L
        # (20 ng/mL)") meets the published figure; scales of the same size share it.
        self.by_scale: dict[str, float] = {}
        for e in threshold.equivalents:
            e_spec = unit_spec(analyte, e.unit, k)
            for scale in analyte.units:
                if scale.factor == e_spec.factor:
                    self.by_scale[scale.unit] = to_default(e.value, e_spec)
        # The cut-off as a rationale quotes it, per scale: as stated, as published on that
        # scale where the source gives a figure for it, else converted.
        self.limit: dict[str, str] = {}
        stated = f"{threshold.value:g} {threshold.unit}"
        for scale in analyte.units:
            if scale.unit == spec.unit:
                self.limit[scale.unit] = stated
            elif scale.unit in self.by_scale:
                published = from_default(self.by_scale[scale.unit], scale)
                self.limit[scale.unit] = f"{published:g} {scale.unit} ({stated})"
            else:
                self.limit[scale.unit] = f"{stated} ({from_default(value, scale):.4g} {scale.unit})"

    def value_for(self, scale: str | None) -> float:
        """The cut-off for a value given on ``scale``, in the default unit."""
        return self.by_scale.get(scale, self.value) if scale is not None else self.value

    def template(self, name: str, held: bool, scale: str | None = None) -> str:
        """The value against this cut-off, and what that means, as a ``str.format`` template
        whose one field, named by the analyte, takes the value as given on ``scale`` (the
        default unit if None), shown ``format(x, ".4g")``.
        """
        key = (name, held, scale)
        found = self.templates.get(key)
        if found is not None:
            return found
        t = self.threshold
        scale = scale or self.unit
        sign = _SHOWN[t.comparator] if held else _NEGATED[t.comparator]
        if held:
            rest = f" {scale} {sign} {self.limit[scale]}: {t.meaning}"
        else:  # the meaning describes the side the value is not on
            rest = (
                f" {scale} {sign} {self.limit[scale]}, which does not meet the cut-off for: "
                f"{t.meaning}"
            )
        text = self.templates[key] = _escape(name) + " {" + t.analyte + "}" + _escape(rest)
        return text


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class Rules:
    """Every threshold the rules use, compiled once from the loaded knowledge."""

    def __init__(self, k: Knowledge) -> None:
        self.k = k
        missing = sorted(set(REQUIRED_THRESHOLDS) - k.thresholds.keys())
        if missing:
            raise DataError(f"data file thresholds.json lacks thresholds {', '.join(missing)}")
        self.analyte_order = tuple(a.id for a in k.analytes)
        self.cuts: dict[str, Cut] = {}
        for tid, t in k.thresholds.items():
            self.cuts[tid] = Cut(t, k.analyte_index[t.analyte], k)
        # Every rule reads a value only by comparing it with these cut points (in the default
        # unit, on the scale the value was given on), so where a value falls among its
        # analyte's points decides the verdict.
        self.points_by_scale: dict[str, dict[str, list[float]]] = {}
        for a in k.analytes:
            cuts = [c for c in self.cuts.values() if c.threshold.analyte == a.id]
            self.points_by_scale[a.id] = {
                scale.unit: sorted({c.value_for(scale.unit) for c in cuts}) for scale in a.units
            }
        # Verdicts by nutrient, context and where each value falls: see judge_panel().
        self.memo: dict[tuple[object, ...], Verdict] = {}
        # A nutrient with no lab is judged the same for everyone (but magnesium, whose kidney
        # caution depends on the context): build those findings once.
        self.not_tested: dict[str, Finding] = {
            nid: judge_directly(nid, [], Context(), self)
            for nid in NUTRIENT_IDS
            if nid != "magnesium"
        }
        # What judge_panel() does per nutrient: the analytes it reports, those it judges with
        # their cut points, and its finding when it has no lab.
        self.plan = tuple(
            (
                nid,
                _REPORTED[nid],
                tuple((analyte, self.points_by_scale[analyte]) for analyte in JUDGED[nid]),
                self.not_tested.get(nid),
            )
            for nid in NUTRIENT_IDS
        )


_rules_lock = threading.Lock()
_rules: Rules | None = None


def rules_for(k: Knowledge) -> Rules:
    """The compiled rules for the loaded knowledge (compiled once)."""
    global _rules
    r = _rules
    if r is None or r.k is not k:
        with _rules_lock:
            if _rules is None or _rules.k is not k:
                _rules = Rules(k)
            r = _rules
    return r


class _Judge:
    """One judgement in progress: checks values against cuts, remembering what it consulted,
    and collects the status, the reasons and the actions. Reasons are ``str.format``
    templates whose fields are analyte ids (see :meth:`Cut.template`), so that one verdict
    serves every value that falls in the same place among the cut points.
    """

    __slots__ = ("actions", "cuts", "reasons", "rules", "scales", "status")

    def __init__(self, rules: Rules, scales: Mapping[str, str] | None = None) -> None:
        self.rules = rules
        self.scales = scales or {}
        self.status = Status.ADEQUATE
        self.reasons: list[str] = []
        self.actions: list[str] = []
        self.cuts: dict[str, Cut] = {}

    def key(self) -> tuple[Status, tuple[str, ...]]:
        return self.status, tuple(self.actions)

    def check(self, tid: str, name: str, x: float, *, explain: str = "held") -> bool:
        """Whether threshold ``tid`` holds for ``x``; record it when ``explain`` says so."""
        cut = self.rules.cuts[tid]
        scale = self.scales.get(cut.threshold.analyte)
        held = cut.holds_at(x, cut.value_for(scale))
        self.cuts[tid] = cut
        if explain == "always" or (explain == "held" and held):
            self.reasons.append(cut.template(name, held, scale))
        return held


Values = Mapping[str, float]


def _judge_iron(x: Values, ctx: Context, j: _Judge) -> None:
    """AASM 2024 and IRLSSG 2018: iron for RLS when ferritin or TSAT is below target, never
    at a TSAT at or above the ceiling, and not at a ferritin at or above the ceiling."""
    ferritin, tsat, crp = x.get("ferritin"), x.get("tsat"), x.get("crp")
    if ferritin is None and tsat is None:
        j.status = Status.NOT_TESTED
        j.reasons.append("neither ferritin nor transferrin saturation was measured")
        return
    child = ctx.age is not None and ctx.age < ADULT_AGE
    if child:
        j.reasons.append("judged by the paediatric iron criterion (age under 18)")
    inflamed = (
        ferritin is not None and crp is not None and j.check("iron.crp.inflammation", "CRP", crp)
    )
    if tsat is not None and j.check("iron.tsat.ceiling", "TSAT", tsat):
        j.actions.append("avoid-iron-supplements")
        if ferritin is not None and j.check("iron.ferritin.deficient", "ferritin", ferritin):
            # Depleted stores cannot saturate transferrin: the sample, not the body, is off.
            j.status = Status.INDETERMINATE
            j.actions.append("repeat-fasting-iron-studies")
            j.reasons.append(
                "a transferrin saturation this high with stores this low suggests a sample not "
                "taken fasting, or recent iron intake (AASM 2024: test in the morning, with no "
                "iron-containing supplements or food for 24 hours)"
            )
        else:
            j.status = Status.HIGH
        return
    if ferritin is not None:
        deficiency = (
            "iron.ferritin.deficient_inflammation" if inflamed else "iron.ferritin.deficient"
        )
        if j.check(deficiency, "ferritin", ferritin):
            j.status = Status.DEFICIENT
    if ctx.dialysis:
        oral, iv, below, undecided = _iron_criteria_esrd(ferritin, tsat, j)
    elif ferritin is not None and j.check("iron.ferritin.ceiling", "ferritin", ferritin):
        j.status = Status.HIGH
        j.reasons.append(
            "iron is not suggested at this ferritin, whatever the transferrin saturation: "
            "a clinician can look for the cause"
        )
        return
    elif child:
        oral, iv, below, undecided = _iron_criteria_child(ferritin, tsat, j)
    else:
        oral, iv, below, undecided = _iron_criteria_adult(ferritin, tsat, j)
    if iv and (child or ctx.pregnant):
        # The adult IV-iron criteria were not set for children or for pregnancy (the
        # pregnancy consensus's own criteria are not in the data): see the clinical basis.
        j.reasons.append(
            "intravenous iron is not suggested for children"
            if child
            else "in pregnancy, whether intravenous iron fits is a specialist decision this "
            "library does not judge"
        )
        iv = False
    if oral:
        j.actions.append("consider-oral-iron")
    if iv:
        j.actions.append("consider-iv-iron")
    if j.status is Status.DEFICIENT:
        return
    if below:
        j.status = Status.LOW
    elif undecided or ferritin is None or tsat is None:
        j.status = Status.INDETERMINATE
        if not undecided:
            j.reasons.append(
                ("ferritin" if ferritin is None else "transferrin saturation")
                + " was not measured, and one iron value alone cannot show that iron is adequate"
            )
    elif inflamed:
        j.status = Status.INDETERMINATE
        j.reasons.append(
            "inflammation raises ferritin, so this ferritin cannot rule out iron deficiency"
        )
    else:
        j.status = Status.ADEQUATE


IronCriteria = tuple[bool, bool, bool, bool]  # oral, iv, below target, undecided


def _iron_criteria_adult(ferritin: float | None, tsat: float | None, j: _Judge) -> IronCriteria:
    """AASM 2024: oral or IV iron at ferritin <= 75 ng/mL or TSAT < 20 %, only IV iron at
    ferritin 75-100 ng/mL; IRLSSG 2018: oral iron effective at ferritin <= 75, ferric
    carboxymaltose below 300 (the ceiling is checked before this)."""
    oral = iv = tsat_low = False
    if ferritin is not None:
        oral = iv = j.check("iron.ferritin.oral_iron", "ferritin", ferritin)
        if not oral:
            iv = j.check("iron.ferritin.iv_iron", "ferritin", ferritin, explain="always")
    if tsat is not None:
        tsat_low = j.check("iron.tsat.oral_iron", "TSAT", tsat, explain="always")
    if tsat_low and ferritin is None:
        # TSAT alone meets the AASM criterion, but iron is not suggested above the ferritin
        # ceiling, so no iron until ferritin is known.
        j.reasons.append(
            "whether iron fits depends on ferritin, which was not measured: iron is not "
            "suggested at a high ferritin"
        )
        return False, False, True, False
    iv |= tsat_low  # ferritin, where known, is below the ceiling here
    return oral, iv, oral or iv, False


def _iron_criteria_child(ferritin: float | None, tsat: float | None, j: _Judge) -> IronCriteria:
    """AASM 2024 (paediatric): iron for a child with RLS at serum ferritin < 50 ng/mL."""
    oral = ferritin is not None and j.check(
        "iron.ferritin.oral_iron_child", "ferritin", ferritin, explain="always"
    )
    tsat_low = tsat is not None and j.check("iron.tsat.oral_iron", "TSAT", tsat)
    if tsat_low and not oral:
        j.reasons.append(
            "the paediatric criterion is set on ferritin alone: a low transferrin saturation "
            "in a child is for a paediatric clinician to weigh"
        )
    return oral, False, oral or tsat_low, False


def _iron_criteria_esrd(ferritin: float | None, tsat: float | None, j: _Judge) -> IronCriteria:
    """AASM 2024 (ESRD): IV iron sucrose at ferritin < 200 ng/mL and TSAT < 20 %, together."""
    f_below = ferritin is not None and j.check(
        "iron.esrd.ferritin.iv_iron", "ferritin", ferritin, explain="always"
    )
    t_below = tsat is not None and j.check("iron.esrd.tsat.iv_iron", "TSAT", tsat, explain="always")
    if ferritin is not None and tsat is not None:
        iv = f_below and t_below
        return False, iv, iv, False
    # One value below its cut-off might meet the criterion, or might not.
    if f_below or t_below:
        j.reasons.append(
            "on dialysis the RLS guideline's criterion for IV iron needs ferritin and "
            "transferrin saturation together, and "
            + ("ferritin" if ferritin is None else "transferrin saturation")
            + " was not measured"
        )
        return False, False, False, True
    return False, False, False, False


def _judge_b12(x: Values, ctx: Context, j: _Judge) -> None:
    """NICE NG239 (2024): total B12 below 180 ng/L confirms deficiency, 180-350 ng/L is
    indeterminate and MMA can settle it; a raised MMA points to deficiency at any serum B12,
    but kidney failure raises MMA too."""
    b12, mma, hcy = x.get("vitamin_b12"), x.get("mma"), x.get("homocysteine")
    if b12 is None:
        j.status = Status.NOT_TESTED
        j.reasons.append("serum vitamin B12 was not measured")
        return
    if j.check("b12.serum.deficient", "vitamin B12", b12):
        j.status = Status.DEFICIENT
        return
    if mma is not None and j.check("b12.mma.elevated", "MMA", mma, explain="always"):
        egfr = x.get("egfr")
        kidney = ctx.kidney_disease or ctx.dialysis
        if egfr is not None:
            kidney |= j.check("kidney.egfr.impaired", "eGFR", egfr)
        if kidney:
            j.status = Status.INDETERMINATE
            j.reasons.append(
                "kidney failure raises MMA, so a raised MMA cannot by itself show vitamin B12 "
                "deficiency here"
            )
        else:
            j.status = Status.DEFICIENT
            j.reasons.append("a normal serum B12 does not rule out deficiency")
        return
    if mma is not None:
        j.status = Status.ADEQUATE
        j.reasons.append("a normal MMA does not support B12 deficiency")
        j.check("b12.serum.borderline", "vitamin B12", b12, explain="always")
        return
    if not j.check("b12.serum.borderline", "vitamin B12", b12):
        j.status = Status.ADEQUATE
        j.check("b12.serum.borderline", "vitamin B12", b12, explain="always")
        return
    j.status = Status.LOW
    if hcy is not None:
        j.check("b12.homocysteine.elevated", "homocysteine", hcy, explain="always")
    j.actions.append("check-mma")


def _graded(
    x: float | None,
    name: str,
    j: _Judge,
    deficient: str,
    low: str | None,
    high: str | None = None,
) -> Status:
    """Status of one value against deficient / low / high cut-offs (any may be absent)."""
    if x is None:
        return Status.NOT_TESTED
    if j.check(deficient, name, x):
        return Status.DEFICIENT
    if low is not None and j.check(low, name, x):
        return Status.LOW
    if high is not None and j.check(high, name, x):
        return Status.HIGH
    j.check(low or deficient, name, x, explain="always")
    return Status.ADEQUATE


def _judge_vitamin_d(x: Values, ctx: Context, j: _Judge) -> None:
    j.status = _graded(
        x.get("vitamin_d"), "25(OH)D", j, "vitd.deficient", "vitd.inadequate", "vitd.high"
    )


def _judge_b6(x: Values, ctx: Context, j: _Judge) -> None:
    j.status = _graded(x.get("plp"), "PLP", j, "b6.plp.deficient", "b6.plp.low")


def _judge_magnesium(x: Values, ctx: Context, j: _Judge) -> None:
    """Inside the reference interval 0.75-0.95 mmol/L is adequate; Costello et al.'s proposed
    0.85 mmol/L lower limit is a note, not a verdict."""
    mg = x.get("magnesium")
    j.status = _graded(mg, "magnesium", j, "mg.serum.deficient", None, "mg.serum.high")
    if j.status is Status.ADEQUATE and mg is not None:
        j.check("mg.serum.low", "magnesium", mg)
    egfr = x.get("egfr")
    impaired = ctx.kidney_disease or ctx.dialysis
    if egfr is not None:
        impaired |= j.check("kidney.egfr.impaired", "eGFR", egfr)
    if impaired:
        j.actions.append("magnesium-kidney-caution")


_RANK = {Status.DEFICIENT: 0, Status.LOW: 1, Status.ADEQUATE: 2}


def _judge_folate(x: Values, ctx: Context, j: _Judge) -> None:
    serum = _graded(
        x.get("folate"),
        "serum folate",
        j,
        "folate.serum.deficient",
        "folate.serum.possible_deficiency",
    )
    red = _graded(
        x.get("rbc_folate"),
        "red-cell folate",
        j,
        "folate.rbc.deficient",
        "folate.rbc.possible_deficiency",
        "folate.rbc.possible_deficiency",
    )
    measured = [s for s in (serum, red) if s is not Status.NOT_TESTED]
    j.status = min(measured, key=_RANK.__getitem__) if measured else Status.NOT_TESTED


_JUDGES: dict[str, Callable[[Values, Context, _Judge], None]] = {
    "iron": _judge_iron,
    "magnesium": _judge_magnesium,
    "vitamin_b12": _judge_b12,
    "vitamin_b6": _judge_b6,
    "vitamin_d": _judge_vitamin_d,
    "folate": _judge_folate,
}


def _verdict(nid: str, x: Values, ctx: Context, rules: Rules, scales: Mapping[str, str]) -> _Judge:
    j = _Judge(rules, scales)
    _JUDGES[nid](x, ctx, j)
    if j.status is Status.NOT_TESTED and not j.reasons:
        j.reasons.append("no lab for this nutrient was given")
    return j


class Verdict(NamedTuple):
    """A judgement whose rationale still lacks its values: ``head``, then for each
    ``(analyte, text)`` in ``rest`` that analyte's value as shown and the text after it.
    """

    status: Status
    head: str
    rest: tuple[tuple[str, str], ...]
    actions: tuple[Note, ...]
    references: tuple[Reference, ...]

    @classmethod
    def of(cls, j: _Judge, note: str = "") -> Verdict:
        if j.status not in (Status.ADEQUATE, Status.NOT_TESTED):
            j.actions.append("see-clinician")
        reasons = [*j.reasons, _escape(note)] if note else j.reasons
        text = "; ".join(reasons)
        # Split the template once, here: filling it by concatenation is several times faster
        # than str.format on a rationale hundreds of characters long.
        literals, fields = [""], []
        for literal, field, _, _ in string.Formatter().parse(text):
            literals[-1] += literal
            if field is not None:
                fields.append(field)
                literals.append("")
        head = literals[0][:1].upper() + literals[0][1:]  # reasons start with words
        refs = {r.id: r for cut in j.cuts.values() for r in cut.threshold.references}
        return cls(
            j.status,
            head,
            tuple(zip(fields, literals[1:], strict=True)),
            tuple(_ACTION_NOTES[code] for code in dict.fromkeys(j.actions)),
            tuple(refs.values()),
        )

    def finding(self, nid: str, shown: Mapping[str, str], relevant: list[Measurement]) -> Finding:
        """The finding, its rationale filled with ``shown`` (analyte: value as text)."""
        text = self.head
        for analyte, after in self.rest:
            text = text + shown[analyte] + after
        values = tuple(map(_JUDGED, relevant))
        return Finding(nid, self.status, text, self.actions, self.references, values)


_JUDGED = operator.attrgetter("judged")


def _as_reported(m: Measurement) -> str:
    """The value as a rationale shows it, with its censoring: ``5``, ``<5``."""
    return f"{m.comparator or ''}{m.shown}"


def _surely(m: Measurement, cut: Cut) -> bool:
    """Whether ``cut`` holds for every value a (possibly censored) result allows."""
    limit = cut.value_for(m.scale)
    if m.comparator is None:
        return cut.holds_at(m.value, limit)
    return all(cut.holds_at(e, limit) for e in _bounds(m))


def _bounds(m: Measurement) -> tuple[float, ...]:
    """The extreme values a censored result allows."""
    if m.comparator == "<":
        return (0.0, math.nextafter(m.value, 0.0))
    if m.comparator == "<=":
        return (0.0, m.value)
    if m.comparator == ">":
        return (math.nextafter(m.value, math.inf), math.inf)
    return (m.value, math.inf)


def judge_panel(labs: Mapping[str, Measurement], ctx: Context, rules: Rules) -> tuple[Finding, ...]:
    """The finding for each nutrient, in ``NUTRIENT_IDS`` order. Equal, nutrient by nutrient,
    to :func:`judge_directly` on the measurements each finding reports.

    The rules read a value only by comparing it with cut points, and read only three flags of
    the context, so the verdict (status, actions, sources and the rationale's wording) is the
    same for every value that falls in the same place among its analyte's cut points. Verdicts
    are remembered under that key, in a bounded dict: judging a new panel costs two bisections
    per value and filling in its rationales. Censored results take the direct path.
    """
    flags = (
        ctx.pregnant,
        ctx.kidney_disease,
        ctx.dialysis,
        ctx.age is not None and ctx.age < ADULT_AGE,
    )
    memo = rules.memo
    get = labs.get
    out: list[Finding] = []
    for nid, reported, judged, not_tested in rules.plan:
        relevant: list[Measurement] = list(filter(None, map(get, reported)))  # drop the absent
        if not relevant and not_tested is not None:
            out.append(not_tested)
            continue
        censored = False
        for m in relevant:
            censored |= m.comparator is not None
        if censored:
            out.append(judge_directly(nid, relevant, ctx, rules))
            continue
        # Where each value falls: bisect_left + bisect_right is 2i+1 at cut point i, 2i below.
        key: list[object] = [nid, flags]
        shown: dict[str, str] = {}
        for analyte, by_scale in judged:
            found = get(analyte)
            if found is None:
                key.append(-1)
            else:
                shown[analyte] = found.shown
                v = found.value
                scale = found.scale
                points = by_scale[scale]
                key.append(scale)
                key.append(bisect_left(points, v) + bisect_right(points, v))
        memo_key = tuple(key)
        verdict = memo.get(memo_key)
        if verdict is None:
            x = {analyte: labs[analyte].value for analyte in shown}
            scales = {analyte: labs[analyte].scale for analyte in shown}
            verdict = Verdict.of(_verdict(nid, x, ctx, rules, scales))
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[memo_key] = verdict
        out.append(verdict.finding(nid, shown, relevant))
    return tuple(out)


def judge_directly(nid: str, relevant: list[Measurement], ctx: Context, rules: Rules) -> Finding:
    """The finding for ``nid`` from its ``relevant`` measurements, computed afresh."""
    plain = {m.analyte: m.value for m in relevant}
    shown = {m.analyte: m.shown for m in relevant}
    scales = {m.analyte: m.scale for m in relevant}
    censored = [m for m in relevant if m.comparator is not None]
    if not censored:
        return Verdict.of(_verdict(nid, plain, ctx, rules, scales)).finding(nid, shown, relevant)
    reported = {m.analyte: _as_reported(m) for m in relevant}
    outcomes = []
    for ends in itertools.product(*(_bounds(m) for m in censored)):
        x = dict(plain)
        x.update({m.analyte: e for m, e in zip(censored, ends, strict=True)})
        j = _verdict(nid, x, ctx, rules, scales)
        # Reasons quote each value as reported ("<5"), whichever end it was judged at.
        j.reasons = ["; ".join(j.reasons).format_map(reported)] if j.reasons else []
        outcomes.append(j)
    ranges = ", ".join(f"{m.analyte} {_as_reported(m)} {m.scale}" for m in censored)
    if len({o.key() for o in outcomes}) == 1:
        verdict = outcomes[0]
        note = f"reported as {ranges}, which gives the same result across its whole range"
    else:
        possible = sorted({o.status.value for o in outcomes})
        verdict = _Judge(rules)
        verdict.status = Status.INDETERMINATE
        verdict.cuts = {tid: c for o in outcomes for tid, c in o.cuts.items()}
        note = f"reported as {ranges}, which could mean {' or '.join(possible)}"
    verdict.reasons = [_escape(r) for r in verdict.reasons]
    return Verdict.of(verdict, note).finding(nid, shown, relevant)


def warnings(labs: Mapping[str, Measurement], ctx: Context, rules: Rules) -> list[Note]:
    """Cross-cutting notes: inflammation, anaemia, adult-only thresholds."""
    out: list[Note] = []
    crp, ferritin, hb = labs.get("crp"), labs.get("ferritin"), labs.get("hemoglobin")
    # A censored CRP or hemoglobin ("<10") warns only when the whole range it allows does.
    if crp is not None and ferritin is not None:
        inflamed = rules.cuts["iron.crp.inflammation"]
        deficient = rules.cuts["iron.ferritin.deficient_inflammation"]
        if _surely(crp, inflamed) and not _surely(ferritin, deficient):
            out.append(
                Note(
                    "ferritin-unreliable-inflammation",
                    f"CRP {_as_reported(crp)} {crp.scale} shows inflammation, which raises ferritin: "
                    "a normal ferritin may hide iron deficiency. Repeat iron studies when it "
                    "settles.",
                )
            )
    if hb is not None:
        if ctx.pregnant:
            tid = "iron.hemoglobin.anaemia_pregnant"
        elif ctx.sex == "male":
            tid = "iron.hemoglobin.anaemia_male"
        else:  # female, or unknown: the lower cut-off claims anaemia only when it is certain
            tid = "iron.hemoglobin.anaemia_female"
        cut = rules.cuts[tid]
        if _surely(hb, cut):
            text = cut.template("Hemoglobin", True, hb.scale)
            out.append(Note("anaemia", text.format_map({"hemoglobin": _as_reported(hb)})))
    if ctx.age is not None and ctx.age < ADULT_AGE:
        out.append(
            Note(
                "adult-thresholds",
                "These thresholds come from guidelines for adults; a child's labs need a "
                "paediatric clinician's reading.",
            )
        )
    return out


def missing_tests(
    labs: Mapping[str, Measurement], findings: tuple[Finding, ...], rules: Rules
) -> tuple[str, ...]:
    """Analytes worth measuring next, in analyte-registry order."""
    wanted: set[str] = set()
    if "ferritin" not in labs or "tsat" not in labs:
        wanted |= {"ferritin", "tsat"}
    if "ferritin" in labs and "crp" not in labs:
        wanted.add("crp")
    for f in findings:
        if f.status is Status.NOT_TESTED:
            test = _FIRST_TEST.get(f.nutrient)
            if test is not None:
                wanted.add(test)
        elif f.nutrient == "vitamin_b12" and _CHECK_MMA in f.actions:
            wanted.add("mma")
    wanted -= labs.keys()
    return tuple([a for a in rules.analyte_order if a in wanted]) if wanted else ()
