"""What the knowledge is made of: typed, immutable records with their sources.

Every record that carries a clinical number also carries the references behind it, as
[`Reference`][rlsnutrition.Reference] objects a reviewer can follow.
"""

# No ``from __future__ import annotations`` here: the records are re-exported as
# ``rlsnutrition.<Name>`` (their ``__module__``), so their annotations must already be objects
# when cattrs reads them, not names to look up in a module they no longer claim.
from typing import Literal, get_args

import attrs

__all__ = [
    "Analyte",
    "DailyValue",
    "Equivalent",
    "Evidence",
    "FoodSource",
    "Intake",
    "KnowledgeInfo",
    "Nutrient",
    "Plausibility",
    "RLSFactor",
    "Reference",
    "RuleBook",
    "Statement",
    "SupplementForm",
    "Threshold",
    "UnitSpec",
    "UpperLimit",
]

ReferenceKind = Literal[
    "guideline",
    "consensus",
    "fact-sheet",
    "dri-report",
    "regulation",
    "database",
    "paper",
    "review",
    "terminology",
]
EvidenceGrade = Literal["strong", "moderate", "limited", "insufficient"]
AmountUnit = Literal["mg", "mcg", "mcg DFE", "IU"]
IntakeKind = Literal["RDA", "AI"]
Sex = Literal["female", "male"]
Condition = Literal["pregnancy", "lactation"]
FoodGroup = Literal["meat", "poultry", "fish", "shellfish", "egg", "dairy", "plant", "fungus"]
Diet = Literal["vegan", "vegetarian", "pescatarian"]
FactorKind = Literal["trigger", "secondary-cause", "medicine"]
Comparator = Literal["<", "<=", ">", ">="]
# Which unit a lab value given without one is read in: US ("conventional") or SI units.
Units = Literal["conventional", "si"]
NutrientId = Literal["iron", "magnesium", "vitamin_b12", "vitamin_b6", "vitamin_d", "folate"]

# Each vocabulary is written once, as its Literal type; the tuples are read from it.
NUTRIENT_IDS: tuple[NutrientId, ...] = get_args(NutrientId)
"""The six nutrient ids, in the fixed order [`nutrients()`][rlsnutrition.nutrients] returns them."""
DIETS: tuple[Diet, ...] = get_args(Diet)
SEXES: tuple[Sex, ...] = get_args(Sex)
FACTOR_KINDS: tuple[FactorKind, ...] = get_args(FactorKind)
COMPARATORS: tuple[Comparator, ...] = get_args(Comparator)
UNITS: tuple[Units, ...] = get_args(Units)

# Which diets admit a food of each group: the rule the data's diet tags must agree with.
DIETS_BY_FOOD_GROUP: dict[str, frozenset[str]] = {
    "plant": frozenset(DIETS),
    "fungus": frozenset(DIETS),
    "egg": frozenset({"vegetarian", "pescatarian"}),
    "dairy": frozenset({"vegetarian", "pescatarian"}),
    "fish": frozenset({"pescatarian"}),
    "shellfish": frozenset({"pescatarian"}),
    "meat": frozenset(),
    "poultry": frozenset(),
}


def _fmt(amount: float) -> str:
    return f"{amount:g}"


@attrs.frozen(repr=False)
class Reference:
    """A citable source: guideline, fact sheet, regulation, database or paper.

    Attributes:
        id: a stable id, unique across the data (``"aasm-2024"``).
        kind: what sort of source it is.
        title: the source's title.
        publisher: who published it (journal, agency, database).
        year: the year of publication or of the version used.
        url: where to read it, if it has a stable address.
        doi: its DOI, without ``https://doi.org/``.
        pmid: its PubMed id.
    """

    id: str
    kind: ReferenceKind
    title: str
    publisher: str
    year: int
    url: str | None = None
    doi: str | None = None
    pmid: str | None = None

    def __str__(self) -> str:
        parts = [f"{self.title}. {self.publisher}, {self.year}."]
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.pmid:
            parts.append(f"PMID {self.pmid}")
        if self.url and not self.doi:
            parts.append(self.url)
        return " ".join(parts)

    def __repr__(self) -> str:
        title = self.title if len(self.title) <= 50 else self.title[:47] + "..."
        return f"Reference({self.id!r}, {title!r}, {self.year})"


@attrs.frozen(repr=False)
class Evidence:
    """How strong the evidence linking a nutrient to RLS is, and why.

    Attributes:
        grade: ``"strong"``, ``"moderate"``, ``"limited"`` or ``"insufficient"``.
        summary: what the evidence shows, in a few sentences.
        references: the studies and guidelines behind the grade.
    """

    grade: EvidenceGrade
    summary: str
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"Evidence(grade={self.grade!r}, references={len(self.references)})"


@attrs.frozen(repr=False)
class DailyValue:
    """The FDA Daily Value (2016 labelling rule) that every %DV in the data is computed against.

    Attributes:
        amount: the Daily Value per day.
        unit: its unit (``"mg"``, ``"mcg"``, ``"mcg DFE"``).
        basis: whom it applies to and which rule sets it.
        references: the regulation.
    """

    amount: float
    unit: AmountUnit
    basis: str
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"DailyValue({_fmt(self.amount)} {self.unit})"


@attrs.frozen(repr=False)
class _LifeStage:
    age_min: int
    age_max: int | None
    sex: Sex | None
    condition: Condition | None

    @property
    def life_stage(self) -> str:
        """A readable life stage such as ``"female 19-50 y, pregnancy"``."""
        ages = f"{self.age_min}+ y" if self.age_max is None else f"{self.age_min}-{self.age_max} y"
        everyone = "adults" if self.age_min >= 19 else "children and teens"
        who = f"{self.sex} {ages}" if self.sex else f"{everyone} {ages}"
        return f"{who}, {self.condition}" if self.condition else who

    def matches(self, *, age: int | None, sex: str | None, condition: str | None = None) -> bool:
        """Whether this row applies to a person of the given age, sex and condition."""
        if condition != self.condition:
            return False
        if self.sex is not None and sex is not None and sex != self.sex:
            return False
        if age is None:
            return True
        return self.age_min <= age and (self.age_max is None or age <= self.age_max)


@attrs.frozen(repr=False)
class Intake(_LifeStage):
    """A recommended intake (RDA or AI) for one life stage.

    Attributes:
        age_min: the youngest age in years the row covers.
        age_max: the oldest age in years it covers, or None for no upper bound.
        sex: ``"female"``, ``"male"``, or None for both.
        condition: ``"pregnancy"``, ``"lactation"``, or None.
        kind: ``"RDA"`` (Recommended Dietary Allowance) or ``"AI"`` (Adequate Intake).
        amount: the intake per day.
        unit: its unit.
        references: the Dietary Reference Intakes report it comes from.
    """

    kind: IntakeKind
    amount: float
    unit: AmountUnit
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"Intake({self.kind} {_fmt(self.amount)} {self.unit}/day, {self.life_stage})"


@attrs.frozen(repr=False)
class UpperLimit(_LifeStage):
    """A Tolerable Upper Intake Level, with what it covers; ``amount`` is None if none is set.

    Attributes:
        age_min: the youngest age in years the row covers.
        age_max: the oldest age in years it covers, or None for no upper bound.
        sex: ``"female"``, ``"male"``, or None for both.
        condition: ``"pregnancy"``, ``"lactation"``, or None.
        amount: the upper level per day, or None where none is established.
        unit: its unit.
        applies_to: what the level counts (e.g. supplements and medicines only, not food).
        references: the report that sets it.
    """

    amount: float | None
    unit: AmountUnit
    applies_to: str
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        amount = (
            "not established" if self.amount is None else f"{_fmt(self.amount)} {self.unit}/day"
        )
        return f"UpperLimit({amount}, {self.life_stage})"


@attrs.frozen(repr=False)
class FoodSource:
    """A food and how much of a nutrient one serving holds.

    Attributes:
        name: the food as its source names it.
        serving: the serving the amount is for (``"3 ounces"``, ``"1 cup"``).
        amount: how much of the nutrient one serving holds.
        unit: the unit of ``amount``.
        percent_dv: the serving's percent of the Daily Value, as its source prints it, or None
            where the source prints none.
        food_group: the kind of food, from which its diet tags follow.
        diets: the diets the food fits (``"vegan"``, ``"vegetarian"``, ``"pescatarian"``).
        references: where the figure comes from (NIH ODS fact sheet, USDA FoodData Central).
        note: anything the figure needs said, such as the range a source prints where one
            amount is stored.
    """

    name: str
    serving: str
    amount: float = attrs.field(validator=attrs.validators.ge(0))
    unit: AmountUnit
    percent_dv: float | None
    food_group: FoodGroup
    diets: tuple[Diet, ...]
    references: tuple[Reference, ...]
    note: str | None = None  # e.g. the range a source prints where one amount is stored

    def __repr__(self) -> str:
        dv = "" if self.percent_dv is None else f", {_fmt(self.percent_dv)}% DV"
        return f"FoodSource({self.name!r}, {self.serving!r}, {_fmt(self.amount)} {self.unit}{dv})"


@attrs.frozen(repr=False)
class SupplementForm:
    """A supplement form and what is known about its absorption.

    Attributes:
        name: the form (``"ferrous sulfate"``).
        notes: what is known about it: elemental content, absorption, tolerance.
        references: the sources of those notes.
    """

    name: str
    notes: str
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"SupplementForm({self.name!r})"


@attrs.frozen(repr=False)
class Statement:
    """A cited statement on one topic: a caution, an interaction or a group at risk.

    Attributes:
        topic: what the statement is about, in a few words.
        text: the statement.
        references: its sources.
    """

    topic: str
    text: str
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"Statement({self.topic!r})"


@attrs.frozen(repr=False)
class Nutrient:
    """One of the six RLS-linked nutrients, with everything the library knows about it.

    Attributes:
        id: one of ``"iron"``, ``"magnesium"``, ``"vitamin_b12"``, ``"vitamin_b6"``,
            ``"vitamin_d"``, ``"folate"``.
        name: the name to show (``"Vitamin B12"``).
        aliases: other names it is known by (``"B12"``, ``"cobalamin"``).
        forms: its chemical and supplement forms (``"methylcobalamin"``).
        rls_role: what it has to do with RLS.
        mechanism: how it is thought to act.
        evidence: how strong the evidence for a link to RLS is.
        daily_value: the FDA Daily Value every ``FoodSource.percent_dv`` is computed against.
        intakes: recommended intakes by life stage.
        upper_limits: Tolerable Upper Intake Levels by life stage.
        foods: foods that hold it, as published (see [foods_rich_in][rlsnutrition.foods_rich_in]
            for them sorted and filtered by diet).
        supplement_forms: supplement forms with notes on their absorption.
        cautions: what to watch for (e.g. iron overload, B6 neuropathy).
        interactions: with foods and medicines (e.g. iron with calcium or levothyroxine).
        groups_at_risk: who is likely to lack it.
        lab_tests: the ids of the analytes that measure it (see
            [lookup_analyte][rlsnutrition.lookup_analyte]).
        references: every source the nutrient's data cites.
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    forms: tuple[str, ...]
    rls_role: str
    mechanism: str
    evidence: Evidence
    daily_value: DailyValue
    intakes: tuple[Intake, ...]
    upper_limits: tuple[UpperLimit, ...]
    foods: tuple[FoodSource, ...]
    supplement_forms: tuple[SupplementForm, ...]
    cautions: tuple[Statement, ...]
    interactions: tuple[Statement, ...]
    groups_at_risk: tuple[Statement, ...]
    lab_tests: tuple[str, ...]
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"Nutrient(id={self.id!r}, name={self.name!r})"

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """A readable multi-line summary: role in RLS, intakes, richest foods, cautions."""

        import textwrap

        def para(label: str, text: str) -> str:
            return textwrap.fill(
                text, width=100, initial_indent=f"  {label}: ", subsequent_indent="    "
            )

        lines = [
            f"{self.name} ({self.id})",
            para("also", ", ".join(self.aliases + self.forms)),
            para("RLS evidence", f"{self.evidence.grade}. {self.evidence.summary}"),
            para("Role in RLS", self.rls_role),
            f"  Daily Value: {_fmt(self.daily_value.amount)} {self.daily_value.unit}",
            "  Recommended intakes (per day):",
        ]
        lines += [f"    {i.life_stage}: {i.kind} {_fmt(i.amount)} {i.unit}" for i in self.intakes]
        for ul in self.upper_limits:
            amount = "not established" if ul.amount is None else f"{_fmt(ul.amount)} {ul.unit}"
            lines.append(f"  Upper limit ({ul.life_stage}): {amount} ({ul.applies_to})")
        richest = sorted(self.foods, key=lambda f: -f.amount)[:5]
        lines.append("  Richest foods per serving:")
        lines += [
            f"    {f.name}, {f.serving}: {_fmt(f.amount)} {f.unit}"
            + ("" if f.percent_dv is None else f" ({_fmt(f.percent_dv)}% DV)")
            for f in richest
        ]
        if self.cautions:
            lines.append("  Cautions: " + "; ".join(c.topic for c in self.cautions))
        lines.append(f"  Lab tests: {', '.join(self.lab_tests)}")
        lines.append(f"  Sources: {len(self.references)} references (see .references)")
        return "\n".join(lines)


@attrs.frozen(repr=False)
class RLSFactor:
    """Something outside the six nutrients that triggers or worsens RLS.

    Attributes:
        id: a stable id (``"caffeine"``).
        kind: ``"trigger"``, ``"secondary-cause"`` or ``"medicine"``.
        name: the name to show.
        aliases: other names it is known by.
        examples: examples (for a medicine class, some of its drugs).
        text: what is known, in a few sentences.
        references: its sources.
    """

    id: str
    kind: FactorKind
    name: str
    aliases: tuple[str, ...]
    examples: tuple[str, ...]
    text: str
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"RLSFactor(id={self.id!r}, kind={self.kind!r})"


@attrs.frozen
class UnitSpec:
    """A unit an analyte accepts and its factor to the analyte's default unit.

    Attributes:
        unit: the unit as shown (``"nmol/L"``).
        spellings: other ways it is written that mean the same unit.
        factor: a value in this unit times ``factor`` is the value in the default unit.
        references: the source of the factor (a molar mass, say), if it is not 1.
    """

    unit: str
    spellings: tuple[str, ...]
    factor: float = attrs.field(validator=attrs.validators.gt(0))
    references: tuple[Reference, ...] = ()


@attrs.frozen
class Plausibility:
    """A sanity limit, not a clinical cut-off: above ``max`` (or below ``min``, in ``unit``) a
    value cannot be real, so it was most likely given in another unit. ``reasoning`` says why.

    Attributes:
        max: the largest plausible value.
        unit: the unit of ``max`` and ``min``.
        reasoning: why a value above ``max`` (or below ``min``) cannot be real.
        references: the sources of the limit.
        min: the smallest plausible value, if a value can be too small to be real.
        below_min: what a value below ``min`` most likely was, where no accepted unit
            explains it ("a fraction of 1").
    """

    max: float = attrs.field(validator=attrs.validators.gt(0))
    unit: str
    reasoning: str
    references: tuple[Reference, ...] = ()
    min: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(0))
    )
    below_min: str | None = None


@attrs.frozen(repr=False)
class Analyte:
    """A laboratory measurement the assessment understands.

    ``default_unit`` reads a bare number under ``units="conventional"``, ``si_unit`` under
    ``units="si"``.

    Attributes:
        id: the analyte id ``assess`` takes (``"ferritin"``).
        name: the name to show.
        aliases: other names it is known by.
        nutrient: the id of the nutrient it measures, or None (CRP, eGFR).
        loinc: its LOINC codes.
        default_unit: the unit a bare number is read in (``units="conventional"``).
        si_unit: the unit a bare number is read in under ``units="si"``.
        units: every unit it accepts, the default first.
        max_plausible: a value above this (in the default unit) is refused as impossible.
        references: the sources of its units and bounds.
        plausibility: the sanity limit above which a value is refused, with its reasoning.
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    nutrient: str | None
    loinc: tuple[str, ...]
    default_unit: str
    si_unit: str
    units: tuple[UnitSpec, ...]
    max_plausible: float | None
    references: tuple[Reference, ...]
    plausibility: Plausibility | None = None

    def __repr__(self) -> str:
        return f"Analyte(id={self.id!r}, default_unit={self.default_unit!r})"


@attrs.frozen
class Equivalent:
    """A cut-off as its source also states it in another unit: "30 nmol/L (12 ng/mL)".

    Attributes:
        value: the figure as published.
        unit: its unit.
    """

    value: float
    unit: str


@attrs.frozen(repr=False)
class Threshold:
    """A cited cut-off: it *holds* for a value when ``value <comparator> threshold``.

    ``equivalents`` are the same cut-off as the source states it in other units, rounded as
    published; a value given on one of those scales is compared with the published figure, so
    that a lab's "20 ng/mL" meets the source's "50 nmol/L (20 ng/mL)" as the source means it.

    Attributes:
        id: a stable id (``"iron.ferritin.oral_iron"``).
        analyte: the id of the analyte it applies to.
        comparator: ``"<"``, ``"<="``, ``">"`` or ``">="``.
        value: the cut-off as published.
        unit: its unit as published.
        population: whom it applies to.
        meaning: what it means when it holds.
        source_text: what the source says, quoted or closely paraphrased.
        references: its sources.
        equivalents: the cut-off in other units, as the source also states it.
    """

    id: str
    analyte: str
    comparator: Comparator
    value: float
    unit: str
    population: str
    meaning: str
    source_text: str
    references: tuple[Reference, ...]
    equivalents: tuple[Equivalent, ...] = ()

    def __repr__(self) -> str:
        return f"Threshold({self.id!r}: {self.analyte} {self.comparator} {_fmt(self.value)} {self.unit})"

    def __str__(self) -> str:
        cites = "; ".join(r.title for r in self.references)
        return f"{self.analyte} {self.comparator} {_fmt(self.value)} {self.unit} ({cites})"


@attrs.frozen
class KnowledgeInfo:
    """The version and review date of the packaged knowledge.

    Attributes:
        version: the data's version.
        reviewed: the ISO date it was last reviewed.
        notes: anything to know about this version.
    """

    version: str
    reviewed: str
    notes: str = ""


# --- The rules' own data (data/rules.json): what the judging code reads besides thresholds.


@attrs.frozen
class AdultAge:
    """The age from which the adult criteria apply, with why."""

    value: int = attrs.field(validator=attrs.validators.gt(0))
    reasoning: str
    references: tuple[Reference, ...]


@attrs.frozen
class NutrientRule:
    """What a nutrient's judge reads and its finding reports: ``judges`` are the analytes
    the rule compares with cut-offs; the finding reports the nutrient's ``lab_tests`` and
    ``also_reports``; ``first_test`` is the analyte to measure first when none was."""

    nutrient: str
    judges: tuple[str, ...]
    also_reports: tuple[str, ...] = ()
    first_test: str | None = None


@attrs.frozen
class HemoglobinCutoff:
    """Which anaemia threshold applies to whom: the first row that matches a person wins. An
    unknown age matches only rows open upwards (``age_max`` None); ``sex`` None matches any
    sex (and an unknown one); ``pregnant`` None matches either."""

    threshold: str
    age_min: int | None = None
    age_max: int | None = None
    sex: Sex | None = None
    pregnant: bool | None = None


@attrs.frozen
class FerritinCutoff:
    """Which ferritin deficiency threshold applies to whom: the first row whose
    ``inflammation`` matches (CRP above the inflammation cut-off or not) and whose ages hold
    the person wins; an unknown age matches only rows open upwards (``age_max`` None)."""

    threshold: str
    inflammation: bool
    age_min: int | None = None
    age_max: int | None = None


@attrs.frozen
class CodedText:
    """A sentence the rules show (an action, a note in a rationale, a warning), under a stable
    code or id, with the sources it rests on."""

    code: str
    text: str
    references: tuple[Reference, ...] = ()


@attrs.frozen
class RuleBook:
    """Everything the rules read besides the thresholds."""

    adult_age: AdultAge
    nutrients: tuple[NutrientRule, ...]
    hemoglobin: tuple[HemoglobinCutoff, ...]
    actions: tuple[CodedText, ...]
    notes: tuple[CodedText, ...]
    warnings: tuple[CodedText, ...]
    references: tuple[Reference, ...]
    ferritin_deficiency: tuple[FerritinCutoff, ...] = ()
