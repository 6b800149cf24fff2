"""What the library knows, looked up: nutrients, foods, RLS factors, analytes, thresholds and
the clinical codes by which coded records are read.

Every function here reads the packaged knowledge, loaded once on first use; none imports the
assessment half of the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _units
from ._data import read_json, structure, with_resolved_references
from ._knowledge import knowledge
from .errors import (
    DataError,
    InvalidArgumentError,
    InvalidLabValueError,
    UnknownNutrientError,
    UnknownUnitError,
    show,
)
from .model import (
    DIETS,
    FACTOR_KINDS,
    Analyte,
    Diet,
    FactorKind,
    FoodSource,
    KnowledgeInfo,
    Nutrient,
    RLSFactor,
    Threshold,
)

if TYPE_CHECKING:
    from ._codes import ClinicalCodes

__all__ = [
    "analytes",
    "clinical_codes",
    "convert",
    "foods_rich_in",
    "knowledge_info",
    "lookup_analyte",
    "lookup_nutrient",
    "nutrients",
    "rls_factors",
    "thresholds",
]


def nutrients() -> tuple[Nutrient, ...]:
    """The six RLS-linked nutrients, in a fixed order.

    Examples:
        >>> [n.id for n in nutrients()]
        ['iron', 'magnesium', 'vitamin_b12', 'vitamin_b6', 'vitamin_d', 'folate']
    """
    return knowledge().nutrients


def lookup_nutrient(name: str) -> Nutrient:
    """The nutrient with this id, name, alias or chemical form.

    Case, spaces, hyphens, underscores and dots are ignored, so ``"B-12"``, ``"b12"`` and
    ``"Vitamin_B12"`` all find vitamin B12.

    Examples:
        >>> lookup_nutrient("B-12").id
        'vitamin_b12'
        >>> lookup_nutrient("cholecalciferol").name
        'Vitamin D'

    Raises:
        UnknownNutrientError: nothing matches (or the name is longer than any name could be);
            ``.suggestions`` holds the closest names.
        TypeError: ``name`` is not a string.
    """
    if not isinstance(name, str):
        raise TypeError(f"lookup_nutrient() takes a str, not {type(name).__name__}")
    return knowledge().find_nutrient(name)


def foods_rich_in(
    nutrient: str | Nutrient, *, limit: int | None = None, diet: Diet | None = None
) -> tuple[FoodSource, ...]:
    """Foods rich in a nutrient, richest per serving first.

    Args:
        nutrient: anything [`lookup_nutrient()`][rlsnutrition.lookup_nutrient] takes, or a [`Nutrient`][rlsnutrition.Nutrient] (found by
            its ``id``).
        limit: at most this many foods (``None`` for all).
        diet: ``None`` for every food, or ``"vegan"``, ``"vegetarian"`` (eggs and dairy
            allowed) or ``"pescatarian"`` (also fish and shellfish), in any case.

    Examples:
        >>> [f.name for f in foods_rich_in("iron", limit=2, diet="vegan")]
        ['Breakfast cereals, fortified with 100% of the DV for iron', 'Hot Wheat Cereal, fortified']

    Raises:
        UnknownNutrientError: the nutrient is not known.
        InvalidArgumentError: ``diet`` or ``limit`` is not one the function accepts.
    """
    k = knowledge()
    if isinstance(nutrient, Nutrient):
        found = k.nutrient_index.get(nutrient.id)
        if found is None or found.id != nutrient.id:
            raise UnknownNutrientError(nutrient.id, (), k.nutrient_ids)
        nid = found.id
    else:
        nid = lookup_nutrient(nutrient).id
    wanted = diet if diet is None or diet in DIETS else _option(diet, DIETS, "diet")
    foods = k.foods[nid, wanted]
    if limit is None:
        return foods
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidArgumentError(f"limit must be None or an int >= 0, not {show(limit)}")
    return foods[:limit]


def rls_factors(kind: FactorKind | None = None) -> tuple[RLSFactor, ...]:
    """Lifestyle triggers, secondary causes and medicines known to worsen RLS, each cited.

    ``kind`` narrows the list to ``"trigger"``, ``"secondary-cause"`` or ``"medicine"`` (in any
    case, with ``_`` or a space for the hyphen).

    Examples:
        >>> sorted({f.kind for f in rls_factors()})
        ['medicine', 'secondary-cause', 'trigger']

    Raises:
        InvalidArgumentError: ``kind`` is not one of the three.
    """
    factors = knowledge().factors
    if kind is None:
        return factors
    spelled = _option(kind, FACTOR_KINDS, "factor kind")
    return tuple(f for f in factors if f.kind == spelled)


def _option(value: object, accepted: tuple[str, ...], what: str) -> str:
    """An option as written, in the form it is listed in: "Vegan" and "secondary_cause" agree
    with "vegan" and "secondary-cause"."""
    if isinstance(value, str):
        spelled = value.strip().casefold().replace("_", "-").replace(" ", "-")
        if spelled in accepted:
            return spelled
    raise InvalidArgumentError(
        f"unknown {what} {show(value)}; accepted: None, {', '.join(repr(a) for a in accepted)}"
    )


def knowledge_info() -> KnowledgeInfo:
    """The version and review date of the packaged knowledge.

    Examples:
        >>> knowledge_info().version == knowledge_info().version.strip()
        True
    """
    return knowledge().info


def analytes() -> tuple[Analyte, ...]:
    """The lab measurements ``assess`` understands, each with its LOINC codes and units.

    Examples:
        >>> [a.id for a in analytes()][:3]
        ['ferritin', 'tsat', 'serum_iron']
        >>> analytes()[0].default_unit
        'ng/mL'
    """
    return knowledge().analytes


def lookup_analyte(key: str) -> Analyte:
    """The analyte with this id, alias or LOINC code (case, spaces and hyphens ignored).

    Examples:
        >>> lookup_analyte("2276-4").id
        'ferritin'
        >>> lookup_analyte("25-OH vitamin D").id
        'vitamin_d'

    Raises:
        UnknownAnalyteError: nothing matches; ``.suggestions`` holds the closest names.
        TypeError: ``key`` is not a string.
    """
    if not isinstance(key, str):
        raise TypeError(f"lookup_analyte() takes a str, not {type(key).__name__}")
    return knowledge().find_analyte(key)


def thresholds(nutrient: str | Nutrient | None = None) -> tuple[Threshold, ...]:
    """The cited cut-offs ``assess`` judges by, for every nutrient or for one.

    Args:
        nutrient: ``None`` for all, or anything [`foods_rich_in()`][rlsnutrition.foods_rich_in] takes; then the
            thresholds of that nutrient's lab tests (``Nutrient.lab_tests``).

    Examples:
        >>> t = thresholds("iron")[0]
        >>> (t.analyte, t.comparator, t.value, t.unit)
        ('ferritin', '<=', 75.0, 'ng/mL')

    Raises:
        UnknownNutrientError: the nutrient is not known.
    """
    k = knowledge()
    every = tuple(k.thresholds.values())
    if nutrient is None:
        return every
    name = nutrient.id if isinstance(nutrient, Nutrient) else nutrient
    tests = set(lookup_nutrient(name).lab_tests)
    return tuple(t for t in every if t.analyte in tests)


def convert(value: float, from_unit: str, to_unit: str, *, analyte: str | Analyte) -> float:
    """``value`` in ``from_unit`` converted to ``to_unit``, by the factors ``assess`` uses.

    Args:
        value: the number to convert.
        from_unit: a unit ``analyte`` accepts, in any accepted spelling (``"mcg/L"``,
            ``"µg/L"``).
        to_unit: another unit ``analyte`` accepts.
        analyte: anything [`lookup_analyte()`][rlsnutrition.lookup_analyte] takes, or an [`Analyte`][rlsnutrition.Analyte]; units convert
            differently for different analytes (vitamin D: 1 ng/mL is 2.496 nmol/L).

    Examples:
        >>> round(convert(30, "ng/mL", "nmol/L", analyte="vitamin_d"), 2)
        74.89
        >>> round(convert(75, "nmol/L", "ng/mL", analyte="25-OH D"), 1)
        30.0

    Raises:
        UnknownUnitError: either unit is not one ``analyte`` accepts.
        UnknownAnalyteError: the analyte is not known.
        InvalidLabValueError: ``value`` is too large for a float (an int of 309 digits or more).
        TypeError: ``value`` is not a real number.
    """
    from numbers import Real

    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"convert() takes a real number, not {type(value).__name__}")
    k = knowledge()
    a = lookup_analyte(analyte.id if isinstance(analyte, Analyte) else analyte)
    for unit in (from_unit, to_unit):
        if not isinstance(unit, str) or not unit.strip():  # assess reads a blank as the default
            raise UnknownUnitError(
                f"unit {show(unit)} is not a unit of {a.id}; accepted: {_units.accepted(a)}"
            )
    try:
        number = float(value)
    except OverflowError:  # an int of hundreds of digits: no float holds it
        raise InvalidLabValueError(
            f"value {show(value)} is too large to convert; a {a.id} result is a finite number"
        ) from None
    return _units.convert(
        number, _units.unit_spec(a, from_unit, k), _units.unit_spec(a, to_unit, k)
    )


_CODES_FILE = "fhir_codes.json"


_CODES: list[ClinicalCodes] = []  # read once, on first use


def clinical_codes() -> ClinicalCodes:
    """The codes by which coded records (FHIR) are read: pregnancy, chronic kidney disease,
    dialysis, and medicines that may worsen RLS (RxNorm ingredients, ATC codes and classes),
    each with its sources. [`fhir.read`][rlsnutrition.fhir.read] reads a person's context and
    medicines by these, and by nothing else.

    Each medicine names an [`RLSFactor`][rlsnutrition.RLSFactor] of kind ``"medicine"``;
    ``not_worsening`` lists medicines that a class would otherwise match but that are known not
    to worsen RLS (bupropion).

    Examples:
        >>> import rlsnutrition as rn
        >>> codes = rn.clinical_codes()
        >>> [c.display for c in codes.context.pregnant][:1]
        ['Pregnant']
        >>> sorted({m.factor for m in codes.medicines})[:2]
        ['antipsychotics', 'dopamine_antagonist_antiemetics']

    Raises:
        DataError: the packaged codes are invalid, or name a factor that is not a medicine.
    """
    if _CODES:
        return _CODES[0]
    from ._codes import ClinicalCodes  # its records are built on first use

    doc = with_resolved_references(read_json(_CODES_FILE), _CODES_FILE)
    codes: ClinicalCodes = structure(doc, ClinicalCodes, _CODES_FILE)
    factors = {f.id for f in rls_factors("medicine")}
    for m in (*codes.not_worsening, *codes.medicines):
        if m.factor is not None and m.factor not in factors:
            raise DataError(
                f"data file {_CODES_FILE}: {m.ingredient} names unknown factor {m.factor!r}"
            )
    for g in codes.medicine_groups:
        if g.factor not in factors:
            raise DataError(
                f"data file {_CODES_FILE}: group {g.prefix} names unknown factor {g.factor!r}"
            )
    _CODES[:] = [codes]
    return codes
