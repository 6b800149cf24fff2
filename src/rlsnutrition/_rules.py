"""How lab values are judged: one judge per nutrient, reading like its guideline.

No clinical number and no clinical sentence lives in this module. Every cut-off is a
threshold in ``data/thresholds.json``, looked up by id, with its source; every sentence a
finding shows (a note in its rationale, an action, a warning) is in ``data/rules.json`` with
its source, as are the adult age, the hemoglobin cut-off for each age and the analytes each
judge reads. A judge records what it found as reasons (a threshold that held or did not, or a
note), the status and the action codes; ``_render`` turns reasons into words and ``_panel``
judges a whole panel (and remembers verdicts).
"""

from __future__ import annotations

import operator
import os
import threading
from collections.abc import Callable, Mapping
from typing import Generic, NamedTuple, TypeVar

from ._knowledge import Knowledge
from ._units import from_default, to_default, unit_spec
from .assessment import Note, Status
from .errors import DataError
from .labs import Context
from .model import NUTRIENT_IDS, Analyte, Reference, RuleBook, Threshold

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class Cut:
    """A threshold compiled for judging: its value in the analyte's default unit, and on each
    scale (accepted unit) where its source publishes a rounded equivalent, that figure."""

    __slots__ = ("analyte", "by_scale", "holds_at", "limit", "threshold", "unit", "value")

    def __init__(self, threshold: Threshold, analyte: Analyte, k: Knowledge) -> None:
        spec = unit_spec(analyte, threshold.unit, k)
        self.threshold = threshold
        self.analyte = analyte
        self.value = value = to_default(threshold.value, spec)
        self.unit = analyte.default_unit
        self.holds_at = _OPS[threshold.comparator]
        # A value given on a scale the source also states the cut-off on ("50 nmol/L
        # (20 ng/mL)") meets the published figure; scales of the same size share it.
        self.by_scale: dict[str | None, float] = {}  # (no scale, None, is never a key)
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
        """The cut-off for a value given on ``scale``, in the default unit (no scale: the
        published figure; None is never a key of ``by_scale``)."""
        return self.by_scale.get(scale, self.value)


class Step(NamedTuple):
    """One reason, before it has words: a threshold checked (``held`` or not) against the
    value of ``analyte`` given on ``scale``, or a note from rules.json (``note``)."""

    threshold: str | None
    note: str | None
    analyte: str | None
    held: bool
    scale: str | None


class Rules:
    """The thresholds compiled, and the rule book, from the loaded knowledge (built once)."""

    def __init__(self, k: Knowledge) -> None:
        self.k = k
        book: RuleBook = k.rules
        self.book = book
        self.adult_age = book.adult_age.value
        self.cuts = {tid: Cut(t, k.analyte_index[t.analyte], k) for tid, t in k.thresholds.items()}
        self.actions = {a.code: Note(a.code, a.text) for a in book.actions}
        self.notes = {n.code: n for n in book.notes}
        self.warning_texts = {w.code: w for w in book.warnings}
        self.nutrient_rules = {r.nutrient: r for r in book.nutrients}
        self.analyte_order = tuple(a.id for a in k.analytes)
        missing = sorted(_REQUIRED - self.cuts.keys())
        if missing:
            raise DataError(f"data file thresholds.json lacks thresholds {', '.join(missing)}")
        unknown = sorted(_NOTES - self.notes.keys()) + sorted(_ACTIONS - self.actions.keys())
        if unknown:
            raise DataError(f"data file rules.json lacks notes or actions {', '.join(unknown)}")
        # Every rule reads a value only by comparing it with these cut points (in the default
        # unit, on the scale the value was given on), so where a value falls among its
        # analyte's points decides the verdict (see _panel).
        self.points_by_scale: dict[str, dict[str, list[float]]] = {}
        for a in k.analytes:
            cuts = [c for c in self.cuts.values() if c.threshold.analyte == a.id]
            self.points_by_scale[a.id] = {
                scale.unit: sorted({c.value_for(scale.unit) for c in cuts}) for scale in a.units
            }

    def is_child(self, ctx: Context) -> bool:
        return ctx.age is not None and ctx.age < self.adult_age

    def ferritin_deficiency(self, ctx: Context, inflamed: bool) -> str:
        """The WHO ferritin deficiency threshold for this person's age, with or without
        inflammation: the first row of rules.json's table that fits."""
        for row in self.book.ferritin_deficiency:
            if row.inflammation == inflamed and _ages_fit(ctx.age, row.age_min, row.age_max):
                return row.threshold
        raise DataError(f"rules.json: ferritin_deficiency has no row for age {ctx.age}")

    def verdict_flags(self, ctx: Context) -> tuple[object, ...]:
        """The facts of a context a verdict reads: equal flags, equal verdicts for equal labs."""
        return (
            ctx.pregnant,
            ctx.kidney_disease,
            ctx.dialysis,
            self.is_child(ctx),
            self.ferritin_deficiency(ctx, False),
        )

    def references(self, steps: list[Step]) -> tuple[Reference, ...]:
        """The sources behind the thresholds and notes of ``steps``, each once."""
        refs: dict[str, Reference] = {}
        for s in steps:
            cited = (
                self.cuts[s.threshold].threshold.references
                if s.threshold is not None
                else self.notes[s.note].references
                if s.note is not None
                else ()
            )
            for r in cited:
                refs.setdefault(r.id, r)
        return tuple(refs.values())


_In = TypeVar("_In")
_Out = TypeVar("_Out")


def _ages_fit(age: int | None, age_min: int | None, age_max: int | None) -> bool:
    """Whether a row for ages ``age_min``-``age_max`` fits ``age`` (an unknown age fits only
    rows open upwards)."""
    if age is None:
        return age_max is None
    return (age_min is None or age >= age_min) and (age_max is None or age <= age_max)


class BuiltOnce(Generic[_In, _Out]):
    """``build(source)`` made once per source (the loaded knowledge, the compiled rules) and
    shared by every thread; a new source (a reload) builds anew."""

    def __init__(self, build: Callable[[_In], _Out]) -> None:
        self.build = build
        self.lock = threading.Lock()
        self.made: tuple[_In, _Out] | None = None
        if hasattr(os, "register_at_fork"):  # a child forked mid-build must not wait forever
            os.register_at_fork(after_in_child=self._new_lock)

    def _new_lock(self) -> None:
        self.lock = threading.Lock()

    def __call__(self, source: _In) -> _Out:
        made = self.made
        if made is None or made[0] is not source:
            with self.lock:
                made = self.made
                if made is None or made[0] is not source:
                    made = self.made = (source, self.build(source))
        return made[1]


rules_for = BuiltOnce(Rules)
"""The compiled rules for the loaded knowledge (compiled once)."""


class Judge:
    """One judgement in progress: checks values against cut-offs, and collects the status,
    the reasons (as `Step`) and the action codes."""

    __slots__ = ("actions", "rules", "scales", "status", "steps")

    def __init__(self, rules: Rules, scales: Mapping[str, str] | None = None) -> None:
        self.rules = rules
        self.scales = scales or {}
        self.status = Status.ADEQUATE
        self.steps: list[Step] = []
        self.actions: list[str] = []

    def key(self) -> tuple[Status, tuple[str, ...]]:
        return self.status, tuple(self.actions)

    def check(self, tid: str, x: float, *, explain: str = "held") -> bool:
        """Whether threshold ``tid`` holds for ``x``; a reason when ``explain`` says so
        ("held": only if it holds; "always"; "never")."""
        cut = self.rules.cuts[tid]
        analyte = cut.threshold.analyte
        scale = self.scales.get(analyte)
        held = cut.holds_at(x, cut.value_for(scale))
        if explain == "always" or (explain == "held" and held):
            self.steps.append(Step(tid, None, analyte, held, scale))
        return held

    def note(self, code: str) -> None:
        """Add the note ``code`` of rules.json to the reasons."""
        self.steps.append(Step(None, code, None, True, None))


Values = Mapping[str, float]


def judge_iron(x: Values, ctx: Context, j: Judge) -> None:
    """AASM 2024 and IRLSSG 2018: iron for RLS when ferritin or TSAT is below target, never
    at a TSAT at or above the ceiling, and not at a ferritin at or above the ceiling."""
    ferritin, tsat, crp = x.get("ferritin"), x.get("tsat"), x.get("crp")
    if ferritin is None and tsat is None:
        j.status = Status.NOT_TESTED
        j.note("iron.none-measured")
        return
    child = j.rules.is_child(ctx)
    inflamed = ferritin is not None and crp is not None and j.check("iron.crp.inflammation", crp)
    if tsat is not None and j.check("iron.tsat.ceiling", tsat):
        j.actions.append("avoid-iron-supplements")
        target = "iron.ferritin.oral_iron_child" if child else "iron.ferritin.oral_iron"
        if ferritin is not None and j.check(target, ferritin):
            # Stores at or below the oral-iron target with a saturated transferrin: most
            # often a sample drawn after iron was taken, not overload (AASM 2024, South Tees).
            j.status = Status.INDETERMINATE
            j.actions.append("repeat-fasting-iron-studies")
            j.note("iron.non-fasting")
        else:
            j.status = Status.HIGH
        _child_on_dialysis(ctx, child, j)
        return
    if ferritin is not None and j.check(j.rules.ferritin_deficiency(ctx, inflamed), ferritin):
        j.status = Status.DEFICIENT
    if ctx.dialysis and not child:
        oral, iv, below, undecided = _iron_criteria_esrd(ferritin, tsat, j)
    elif ferritin is not None and j.check("iron.ferritin.ceiling", ferritin):
        _judge_above_ceiling(tsat, inflamed, j)
        _child_on_dialysis(ctx, child, j)
        return
    elif child:
        oral, iv, below, undecided = _iron_criteria_child(ferritin, tsat, j)
    else:
        oral, iv, below, undecided = _iron_criteria_adult(ferritin, tsat, j)
    if iv and (child or ctx.pregnant):
        # The adult IV-iron criteria were not set for children or for pregnancy (the
        # pregnancy consensus's own criteria are not in the data): see the clinical basis.
        j.note("iron.no-iv-for-children" if child else "iron.no-iv-in-pregnancy")
        iv = False
    if iv and tsat is None:
        # IRLSSG 2018: IV iron only with TSAT below the ceiling, which is not known here.
        j.note("iron.iv-needs-tsat")
        iv = False
    if oral:
        j.actions.append("consider-oral-iron")
    if iv:
        j.actions.append("consider-iv-iron")
    _child_on_dialysis(ctx, child, j)
    if j.status is Status.DEFICIENT:
        return
    if below:
        j.status = Status.LOW
    elif undecided or ferritin is None or tsat is None:
        j.status = Status.INDETERMINATE
        if not undecided:
            j.note("iron.no-ferritin" if ferritin is None else "iron.no-tsat")
    elif inflamed:
        j.status = Status.INDETERMINATE
        j.note("iron.inflammation")
    else:
        j.status = Status.ADEQUATE


def _child_on_dialysis(ctx: Context, child: bool, j: Judge) -> None:
    """A child on dialysis, whatever the values: the adult ESRD rule does not apply, and a
    paediatric nephrologist decides on iron (``see-clinician`` even when iron is adequate)."""
    if child and ctx.dialysis:
        j.note("iron.child-on-dialysis")
        j.actions.append("see-clinician")


def _judge_above_ceiling(tsat: float | None, inflamed: bool, j: Judge) -> None:
    """Ferritin at or above 300: no iron for RLS (IRLSSG 2018's evidence stops there). The
    ceiling is the range iron was tested in, not a definition of overload: only with a low
    TSAT (a pattern to work up: inflammation, liver disease, overload) is it `high`."""
    if tsat is not None and j.check("iron.tsat.oral_iron", tsat):
        j.status = Status.HIGH
        j.note("iron.above-ceiling")
    elif tsat is None:
        j.status = Status.INDETERMINATE
        j.note("iron.no-tsat")
    elif inflamed:
        j.status = Status.INDETERMINATE
        j.note("iron.inflammation")
    else:
        j.status = Status.ADEQUATE
        j.note("iron.no-iron-above-ceiling")


IronCriteria = tuple[bool, bool, bool, bool]  # oral, iv, below target, undecided


def _iron_criteria_adult(ferritin: float | None, tsat: float | None, j: Judge) -> IronCriteria:
    """AASM 2024: oral or IV iron at ferritin <= 75 ng/mL or TSAT < 20 %, only IV iron at
    ferritin 75-100 ng/mL; IRLSSG 2018: oral iron effective at ferritin <= 75, ferric
    carboxymaltose below 300 (the ceiling is checked before this)."""
    oral = iv = tsat_low = False
    if ferritin is not None:
        oral = iv = j.check("iron.ferritin.oral_iron", ferritin)
    if tsat is not None:
        tsat_low = j.check("iron.tsat.oral_iron", tsat, explain="always")
    if ferritin is not None and not oral:
        # The IV-only band (75-100) is quoted where it decides: when it holds, or when the
        # TSAT criterion does not already suggest IV iron.
        iv = j.check("iron.ferritin.iv_iron", ferritin, explain="held" if tsat_low else "always")
    if tsat_low and ferritin is None:
        # TSAT alone meets the AASM criterion, but iron is not suggested above the ferritin
        # ceiling, so no iron until ferritin is known.
        j.note("iron.tsat-needs-ferritin")
        return False, False, True, False
    iv |= tsat_low  # ferritin, where known, is below the ceiling here
    return oral, iv, oral or iv, False


def _iron_criteria_child(ferritin: float | None, tsat: float | None, j: Judge) -> IronCriteria:
    """AASM 2024 (paediatric): iron for a child with RLS at serum ferritin < 50 ng/mL."""
    j.note("iron.paediatric")
    oral = ferritin is not None and j.check(
        "iron.ferritin.oral_iron_child", ferritin, explain="always"
    )
    tsat_low = tsat is not None and j.check("iron.tsat.oral_iron", tsat)
    if tsat_low and not oral:
        j.note("iron.child-low-tsat")
    return oral, False, oral or tsat_low, False


def _iron_criteria_esrd(ferritin: float | None, tsat: float | None, j: Judge) -> IronCriteria:
    """AASM 2024 (ESRD): IV iron sucrose at ferritin < 200 ng/mL and TSAT < 20 %, together."""
    f_below = ferritin is not None and j.check(
        "iron.esrd.ferritin.iv_iron", ferritin, explain="always"
    )
    t_below = tsat is not None and j.check("iron.esrd.tsat.iv_iron", tsat, explain="always")
    if ferritin is not None and tsat is not None:
        iv = f_below and t_below
        return False, iv, iv, False
    if f_below or t_below:  # one value below its cut-off might meet the criterion, or not
        j.note("iron.esrd-no-ferritin" if ferritin is None else "iron.esrd-no-tsat")
        return False, False, False, True
    return False, False, False, False


def judge_b12(x: Values, ctx: Context, j: Judge) -> None:
    """NICE NG239 (2024): total B12 below 180 ng/L confirms deficiency, 180-350 ng/L is
    indeterminate and MMA can settle it; a raised MMA points to deficiency at any serum B12,
    but reduced kidney function raises MMA too."""
    b12, mma, hcy = x.get("vitamin_b12"), x.get("mma"), x.get("homocysteine")
    if b12 is None and mma is None and hcy is None:
        j.status = Status.NOT_TESTED
        j.note("b12.none-measured")
        return
    if b12 is None:
        j.note("b12.no-serum-b12")
    elif j.check("b12.serum.deficient", b12):
        j.status = Status.DEFICIENT
        return
    if mma is not None and j.check("b12.mma.elevated", mma, explain="always"):
        egfr = x.get("egfr")
        kidney = ctx.kidney_disease or ctx.dialysis
        if egfr is not None:
            kidney |= j.check("kidney.egfr.impaired", egfr)
        if kidney:
            j.status = Status.INDETERMINATE
            j.note("b12.kidney-raises-mma")
        else:
            j.status = Status.DEFICIENT
            if b12 is not None:
                j.note("b12.normal-serum-not-enough")
        return
    if b12 is None:
        # A normal MMA, or a homocysteine alone (which folate and kidneys raise too), cannot
        # settle B12 status without the serum B12.
        j.status = Status.INDETERMINATE
        if mma is not None:
            j.note("b12.normal-mma")
        elif hcy is not None:
            j.check("b12.homocysteine.elevated", hcy, explain="always")
        return
    if mma is not None:
        j.status = Status.ADEQUATE
        j.note("b12.normal-mma")
        j.check("b12.serum.borderline", b12, explain="always")
        return
    if not j.check("b12.serum.borderline", b12, explain="always"):
        j.status = Status.ADEQUATE
        return
    j.status = Status.LOW
    if hcy is not None:
        j.check("b12.homocysteine.elevated", hcy, explain="always")
    j.actions.append("check-mma")


def _graded(
    x: float | None, j: Judge, deficient: str, low: str | None, high: str | None = None
) -> Status:
    """Status of one value against deficient / low / high cut-offs (any may be absent)."""
    if x is None:
        return Status.NOT_TESTED
    if j.check(deficient, x):
        return Status.DEFICIENT
    if low is not None and j.check(low, x):
        return Status.LOW
    if high is not None and j.check(high, x):
        return Status.HIGH
    j.check(low or deficient, x, explain="always")
    return Status.ADEQUATE


def judge_vitamin_d(x: Values, ctx: Context, j: Judge) -> None:
    """IOM 2011: 25(OH)D < 30 nmol/L deficient, < 50 nmol/L inadequate, > 125 nmol/L a
    cause for concern."""
    j.status = _graded(x.get("vitamin_d"), j, "vitd.deficient", "vitd.inadequate", "vitd.high")


def judge_b6(x: Values, ctx: Context, j: Judge) -> None:
    """IOM 1998: plasma PLP < 20 nmol/L below adequacy, < 30 nmol/L below normal status."""
    j.status = _graded(x.get("plp"), j, "b6.plp.deficient", "b6.plp.low")


def judge_magnesium(x: Values, ctx: Context, j: Judge) -> None:
    """Inside the reference interval 0.75-0.95 mmol/L is adequate; Costello et al.'s proposed
    0.85 mmol/L lower limit, and a value up to the adult normal range's 1.0 mmol/L, are notes,
    not verdicts. Above 1.0 mmol/L hypermagnesaemia; above 2.0 severe intoxication can start
    (RCPA, via eTG). Kidney impairment: a clinician decides on magnesium supplements (KDIGO)."""
    mg = x.get("magnesium")
    j.status = _graded(mg, j, "mg.serum.deficient", None, "mg.serum.hypermagnesaemia")
    if j.status is Status.ADEQUATE and mg is not None:
        j.check("mg.serum.low", mg)
        j.check("mg.serum.high", mg)  # above the reference interval: a note, not a verdict
    elif j.status is Status.HIGH and mg is not None and j.check("mg.serum.severe", mg):
        j.actions.append("seek-urgent-care")
    egfr = x.get("egfr")
    impaired = ctx.kidney_disease or ctx.dialysis
    if egfr is not None:
        impaired |= j.check("kidney.egfr.impaired", egfr)
    if impaired:
        j.actions.append("magnesium-kidney-caution")


_RANK = {Status.DEFICIENT: 0, Status.LOW: 1, Status.ADEQUATE: 2}


def judge_folate(x: Values, ctx: Context, j: Judge) -> None:
    """WHO 2015: serum < 3 ng/mL or red-cell < 100 ng/mL deficient; Pfeiffer 2016: serum
    < 10 nmol/L or red-cell < 340 nmol/L possible deficiency. The worse of the two decides."""
    serum = _graded(
        x.get("folate"), j, "folate.serum.deficient", "folate.serum.possible_deficiency"
    )
    red = _graded(x.get("rbc_folate"), j, "folate.rbc.deficient", "folate.rbc.possible_deficiency")
    measured = [s for s in (serum, red) if s is not Status.NOT_TESTED]
    j.status = min(measured, key=_RANK.__getitem__) if measured else Status.NOT_TESTED


JUDGES: dict[str, Callable[[Values, Context, Judge], None]] = {
    "iron": judge_iron,
    "magnesium": judge_magnesium,
    "vitamin_b12": judge_b12,
    "vitamin_b6": judge_b6,
    "vitamin_d": judge_vitamin_d,
    "folate": judge_folate,
}
assert tuple(JUDGES) == NUTRIENT_IDS

# Every threshold, note and action the judges above name: the data must define each.
_REQUIRED = frozenset(
    {
        "iron.tsat.ceiling",
        "iron.crp.inflammation",
        "iron.ferritin.deficient",
        "iron.ferritin.deficient_inflammation",
        "iron.ferritin.deficient_under5",
        "iron.ferritin.deficient_inflammation_under5",
        "iron.ferritin.oral_iron",
        "iron.ferritin.iv_iron",
        "iron.ferritin.ceiling",
        "iron.ferritin.oral_iron_child",
        "iron.tsat.oral_iron",
        "iron.esrd.ferritin.iv_iron",
        "iron.esrd.tsat.iv_iron",
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
        "mg.serum.hypermagnesaemia",
        "mg.serum.severe",
        "b6.plp.deficient",
        "b6.plp.low",
    }
)
_NOTES = frozenset(
    {
        "none-measured",
        "iron.none-measured",
        "iron.paediatric",
        "iron.non-fasting",
        "iron.above-ceiling",
        "iron.no-iron-above-ceiling",
        "iron.no-iv-for-children",
        "iron.no-iv-in-pregnancy",
        "iron.tsat-needs-ferritin",
        "iron.child-low-tsat",
        "iron.no-ferritin",
        "iron.no-tsat",
        "iron.tsat-derived",
        "iron.iv-needs-tsat",
        "iron.child-on-dialysis",
        "iron.esrd-no-ferritin",
        "iron.esrd-no-tsat",
        "iron.inflammation",
        "b12.none-measured",
        "b12.kidney-raises-mma",
        "b12.normal-serum-not-enough",
        "b12.normal-mma",
        "b12.no-serum-b12",
    }
)
_ACTIONS = frozenset(
    {
        "consider-oral-iron",
        "consider-iv-iron",
        "avoid-iron-supplements",
        "repeat-fasting-iron-studies",
        "check-mma",
        "magnesium-kidney-caution",
        "seek-urgent-care",
        "see-clinician",
    }
)


def judge(nid: str, x: Values, ctx: Context, rules: Rules, scales: Mapping[str, str]) -> Judge:
    """Judge nutrient ``nid`` on the values ``x`` (default units), given on ``scales``.
    Only the analytes rules.json says the nutrient judges are passed to its judge."""
    j = Judge(rules, scales)
    judged = rules.nutrient_rules[nid].judges
    JUDGES[nid]({a: v for a, v in x.items() if a in judged}, ctx, j)
    if j.status is Status.NOT_TESTED and not j.steps:
        j.note("none-measured")
    if j.status not in (Status.ADEQUATE, Status.NOT_TESTED):
        j.actions.append("see-clinician")
    return j


def hemoglobin_cutoff(ctx: Context, rules: Rules) -> Cut | None:
    """The WHO 2024 anaemia cut-off for this person, from rules.json's table (None for a
    child under the table's first age)."""
    for row in rules.book.hemoglobin:
        if row.pregnant is not None and row.pregnant != ctx.pregnant:
            continue
        if row.sex is not None and row.sex != ctx.sex:
            continue
        if ctx.age is None:
            if row.age_max is not None:
                continue
        elif (row.age_min is not None and ctx.age < row.age_min) or (
            row.age_max is not None and ctx.age > row.age_max
        ):
            continue
        return rules.cuts[row.threshold]
    return None


def first_tests(rules: Rules) -> dict[str, str]:
    """The analyte to measure first for each nutrient that names one."""
    return {r.nutrient: r.first_test for r in rules.book.nutrients if r.first_test is not None}
