"""``read_value`` and ``parse_value``: one value read exactly as ``assess`` reads it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn

ANALYTES = rn.analytes()
KEYS = [key for a in ANALYTES for key in (a.id, *a.aliases, *a.loinc)]


def spellings(unit: str) -> st.SearchStrategy[str]:
    """A unit as labs write it: as is, in another case, spaced out, or µ as u or mc."""
    return st.sampled_from(
        [
            unit,
            unit.lower(),
            unit.upper(),
            f" {unit} ",
            unit.replace("µ", "u"),
            unit.replace("µ", "mc"),
        ]
    )


@st.composite
def values(draw: st.DrawFn, analyte: rn.Analyte) -> object:
    """Anything a caller may pass for ``analyte``: good values in every accepted unit, and
    the wrong, the impossible and the unreadable."""
    number = draw(
        st.floats(1, 500).map(lambda x: float(f"{x:.3g}"))
        | st.floats(0, 2 * (analyte.max_plausible or 5000))
        | st.integers(-5, 10**6)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.sampled_from([0, -0.0, 2**1100, True])
    )
    unit = draw(
        st.sampled_from(analyte.units).flatmap(lambda u: spellings(u.unit))
        | st.none()
        | st.sampled_from(["", "mg", "ng/mL", "%", "mmol/L", "furlongs"])
    )
    comparator = draw(st.sampled_from(["", "<", "<=", ">", ">=", "≤", "≥"]))
    text = f"{comparator}{number}{' ' if draw(st.booleans()) else ''}{unit or ''}"
    good = [number, text, (number, unit), (text, None)]
    odd = [
        (text, unit),
        rn.LabResult(analyte.id, number, unit, comparator or None, "2024-03-01"),
        rn.LabResult("ferritin", number, unit),
        [number],
        None,
        draw(st.text(max_size=12)),
    ]
    return draw(st.sampled_from(good + good + odd))


def outcome(call: object) -> object:
    """What a call gives: its result, or the type and message of what it raises."""
    try:
        return call()  # type: ignore[operator]
    except rn.RLSNutritionError as exc:
        return type(exc), str(exc)


def judged_by_assess(key: str, value: object, units: str) -> object:
    """The JudgedValue ``assess({key: value})`` reports for the value, or what it raises."""
    found = outcome(lambda: rn.assess({key: value}, units=units))  # type: ignore[arg-type]
    if not isinstance(found, rn.Assessment):
        return found
    return next(v for f in found.findings for v in f.values)


@given(st.sampled_from(KEYS), st.data(), st.sampled_from(["conventional", "si"]))
def test_read_value_reads_as_assess_reads(key: str, data: st.DataObject, units: str) -> None:
    value = data.draw(values(rn.lookup_analyte(key)))
    expected = judged_by_assess(key, value, units)
    assert outcome(lambda: rn.read_value(key, value, units=units)) == expected  # type: ignore[arg-type]
    # An Analyte reads as its key does.
    analyte = rn.lookup_analyte(key)
    assert outcome(lambda: rn.read_value(analyte, value, units=units)) == expected  # type: ignore[arg-type]


@given(st.sampled_from(KEYS), st.data())
def test_a_parsed_value_reads_as_the_value_itself(key: str, data: st.DataObject) -> None:
    # parse_value takes what a lab writes: a number or a string.
    value = data.draw(values(rn.lookup_analyte(key)).filter(lambda v: not isinstance(v, tuple)))
    value = value.value if isinstance(value, rn.LabResult) else value
    parsed = outcome(lambda: rn.parse_value(key, value))
    if not isinstance(parsed, rn.LabResult):
        assert parsed[0] is rn.InvalidLabValueError  # type: ignore[index]
        # What cannot be split cannot be read.
        assert not isinstance(outcome(lambda: rn.read_value(key, value)), rn.JudgedValue)
        return
    assert parsed.analyte == rn.lookup_analyte(key).id
    read = outcome(lambda: rn.read_value(key, value))
    if isinstance(read, rn.JudgedValue):
        assert rn.read_value(key, parsed) == read
        assert (parsed.value, parsed.comparator) == (read.given_value, read.comparator)


def test_examples() -> None:
    assert rn.parse_value("ferritin", "<5 ng/mL") == rn.LabResult("ferritin", 5.0, "ng/mL", "<")
    assert rn.parse_value("2276-4", "45") == rn.LabResult("ferritin", 45.0)
    judged = rn.read_value("ferritin", "45 ug/L")
    assert (judged.value, judged.unit, judged.given_unit) == (45.0, "ng/mL", "µg/L")


def test_errors_are_typed_and_name_the_input() -> None:
    with pytest.raises(rn.UnknownAnalyteError, match="ferritn"):
        rn.read_value("ferritn", 45)
    with pytest.raises(rn.UnknownAnalyteError, match="ferritn"):
        rn.parse_value("ferritn", 45)
    with pytest.raises(rn.InvalidArgumentError, match="'metric'"):
        rn.read_value("ferritin", 45, units="metric")  # type: ignore[arg-type]
    with pytest.raises(rn.InvalidLabValueError, match="'many'"):
        rn.parse_value("ferritin", "many")
    with pytest.raises(rn.UnknownUnitError, match="'furlongs'"):
        rn.read_value("ferritin", "45 furlongs")


# --- what a verdict reads: lookup_unit, plausible_range, cut_points, judged_by, context_key,
# missing_tests.

CONTEXTS = st.builds(
    rn.Context,
    sex=st.sampled_from([None, "female", "male"]),
    age=st.none() | st.integers(0, 110),
    kidney_disease=st.booleans(),
    dialysis=st.booleans(),
) | st.builds(
    rn.Context,
    sex=st.sampled_from([None, "female"]),
    age=st.none() | st.integers(12, 50),
    pregnant=st.just(True),
)


def value_of(analyte: str) -> st.SearchStrategy[float]:
    """A plausible value of ``analyte`` in its default unit."""
    low, high = rn.plausible_range(analyte)
    return st.floats(low, min(high, 5000.0))


@st.composite
def panels(draw: st.DrawFn) -> dict[str, float]:
    ids = draw(st.lists(st.sampled_from([a.id for a in ANALYTES]), unique=True))
    panel = {a: draw(value_of(a)) for a in ids}
    if "serum_iron" in panel and "tibc" in panel:  # serum iron cannot exceed TIBC
        panel["tibc"] = max(panel["tibc"], 1.0)
        panel["serum_iron"] = min(panel["serum_iron"], panel["tibc"])
    return panel


def outcomes(a: rn.Assessment) -> tuple[object, ...]:
    """What does not depend on the exact values: statuses, actions, warnings, next tests."""
    return (
        [(f.status, f.action_codes()) for f in a.findings],
        [w.code for w in a.warnings],
        a.missing_tests,
    )


@given(st.sampled_from(ANALYTES), st.data(), st.sampled_from(["conventional", "si"]))
def test_lookup_unit_names_the_unit_read_value_reads_in(
    analyte: rn.Analyte, data: st.DataObject, units: str
) -> None:
    unit = data.draw(
        st.none()
        | st.sampled_from(analyte.units).flatmap(lambda u: spellings(u.unit))
        | st.text(max_size=8)
    )
    found = outcome(lambda: rn.lookup_unit(analyte.id, unit, units=units))  # type: ignore[arg-type]
    low, high = rn.plausible_range(analyte)
    number = (low + min(high, low + 10.0)) / 2
    if isinstance(found, rn.UnitSpec):
        assert found in analyte.units
        read = rn.read_value(analyte, (number / found.factor, unit), units=units)  # type: ignore[arg-type]
        assert read.given_unit == found.unit
        assert read.value == number / found.factor * found.factor
    else:
        assert found == outcome(lambda: rn.read_value(analyte, (number, unit), units=units))  # type: ignore[arg-type]


@given(
    st.sampled_from(ANALYTES).flatmap(lambda a: st.tuples(st.just(a), st.sampled_from(a.units))),
    st.floats(0, 1e6) | st.floats(0, 1),
)
def test_plausible_range_is_what_read_value_accepts(
    analyte_unit: tuple[rn.Analyte, rn.UnitSpec], number: float
) -> None:
    analyte, spec = analyte_unit
    low, high = rn.plausible_range(analyte)
    accepted = isinstance(
        outcome(lambda: rn.read_value(analyte, (number, spec.unit))), rn.JudgedValue
    )
    assert accepted == (low <= number * spec.factor <= high)


def test_every_threshold_is_a_cut_point() -> None:
    for t in rn.thresholds():
        # on the scale it is stated on, a cut-off is its value, converted to the default unit
        default = rn.lookup_analyte(t.analyte).default_unit
        in_default = rn.convert(t.value, t.unit, default, analyte=t.analyte)
        assert in_default in rn.cut_points(t.analyte, t.unit)
    assert (
        rn.cut_points("ferritin")
        == rn.cut_points("ferritin", "ng/mL")
        == rn.cut_points("2276-4", " NG/ML")
    )
    points = rn.cut_points("vitamin_d", "nmol/L")
    assert list(points) == sorted(set(points))


@given(
    st.sampled_from(ANALYTES).flatmap(lambda a: st.tuples(st.just(a), st.sampled_from(a.units))),
    st.data(),
    panels(),
    CONTEXTS,
)
def test_values_in_the_same_place_among_the_cut_points_judge_alike(
    analyte_unit: tuple[rn.Analyte, rn.UnitSpec],
    data: st.DataObject,
    panel: dict[str, float],
    ctx: rn.Context,
) -> None:
    analyte, spec = analyte_unit
    points = rn.cut_points(analyte, spec.unit)
    low, high = rn.plausible_range(analyte)
    # Two values in one place: strictly between two neighbouring cut points (or bounds).
    edges = sorted({low, *[p for p in points if low <= p <= high], min(high, 5000.0)})
    i = data.draw(st.integers(0, len(edges) - 2))
    inside = st.floats(edges[i], edges[i + 1], exclude_min=True, exclude_max=True)
    first, second = data.draw(inside), data.draw(inside)
    # without the pair that gives a derived TSAT (which TSAT's cut points judge)
    panel = {a: v for a, v in panel.items() if a not in ("serum_iron", "tibc")}
    results = []
    for value in (first, second):
        labs = {**panel, analyte.id: (value / spec.factor, spec.unit)}
        read = rn.read_value(analyte, labs[analyte.id])
        if read.value != value:  # rounded by the unit's factor: the place may differ
            return
        results.append(outcomes(rn.assess(labs, context=ctx)))
    assert results[0] == results[1]


@given(st.sampled_from(rn.nutrients()), panels(), st.sampled_from(ANALYTES), st.data(), CONTEXTS)
def test_a_finding_reads_only_the_analytes_it_is_judged_by(
    nutrient: rn.Nutrient,
    panel: dict[str, float],
    other: rn.Analyte,
    data: st.DataObject,
    ctx: rn.Context,
) -> None:
    judged = rn.judged_by(nutrient)
    if other.id in judged or other.id in ("serum_iron", "tibc"):  # these give a derived TSAT
        return
    changed = {**panel, other.id: data.draw(value_of(other.id))}
    before = rn.assess(panel, context=ctx).finding(nutrient.id)
    after = rn.assess(changed, context=ctx).finding(nutrient.id)
    assert (before.status, before.action_codes()) == (after.status, after.action_codes())
    assert set(judged) <= {a.id for a in ANALYTES}


@given(CONTEXTS, CONTEXTS, panels(), st.sampled_from([None, "findings", "warnings"]))
def test_contexts_with_equal_keys_are_judged_alike(
    one: rn.Context, other: rn.Context, panel: dict[str, float], part: str | None
) -> None:
    key = rn.context_key(one, part=part)  # type: ignore[arg-type]
    hash(key)
    if key != rn.context_key(other, part=part):  # type: ignore[arg-type]
        return
    a, b = rn.assess(panel, context=one), rn.assess(panel, context=other)
    if part in (None, "findings"):
        assert a.findings == b.findings
        assert a.missing_tests == b.missing_tests
    if part in (None, "warnings"):
        assert a.warnings == b.warnings


def test_context_keys_tell_apart_what_is_judged_apart() -> None:
    adult, child = rn.Context(age=40), rn.Context(age=8)
    assert rn.context_key(adult) != rn.context_key(child)
    assert rn.context_key(rn.Context(dialysis=True), part="warnings") == rn.context_key(
        adult, part="warnings"
    )
    assert rn.context_key(rn.Context(dialysis=True), part="findings") != rn.context_key(
        adult, part="findings"
    )
    with pytest.raises(TypeError, match="Context"):
        rn.context_key({"age": 40})  # type: ignore[arg-type]
    with pytest.raises(rn.InvalidArgumentError, match="'verdicts'"):
        rn.context_key(adult, part="verdicts")  # type: ignore[arg-type]


@given(panels(), CONTEXTS, st.randoms(use_true_random=False))
def test_missing_tests_are_what_the_assessment_lists(
    panel: dict[str, float], ctx: rn.Context, rnd: object
) -> None:
    a = rn.assess(panel, context=ctx)
    # Every analyte is reported by some finding, a derived TSAT too.
    measured = {v.analyte for f in a.findings for v in f.values}
    assert set(panel) <= measured
    findings = list(a.findings)
    rnd.shuffle(findings)  # type: ignore[attr-defined]
    assert rn.missing_tests(sorted(measured), findings) == a.missing_tests


def test_missing_tests_refuses_what_it_cannot_read() -> None:
    findings = rn.assess({}).findings
    with pytest.raises(TypeError, match="iterable"):
        rn.missing_tests("ferritin", findings)
    with pytest.raises(rn.UnknownAnalyteError, match="ferritn"):
        rn.missing_tests(["ferritn"], findings)
    with pytest.raises(TypeError, match="Finding"):
        rn.missing_tests([], [{"nutrient": "iron"}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"measured must be an iterable .* not None"):
        rn.missing_tests(None, findings)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"findings must be an iterable .* not None"):
        rn.missing_tests(["ferritin"], None)  # type: ignore[arg-type]
    assert (
        rn.missing_tests(["2276-4", "TSAT"], findings)
        == rn.assess({"ferritin": 1, "tsat": 20}).missing_tests
    )


def test_judged_by_names_nutrients_as_lookup_nutrient_does() -> None:
    assert rn.judged_by("Vitamin B-12") == rn.judged_by(rn.lookup_nutrient("cobalamin"))
    assert "egfr" in rn.judged_by("magnesium")
    with pytest.raises(rn.UnknownNutrientError, match="zinc"):
        rn.judged_by("zinc")
    with pytest.raises(TypeError, match="int"):
        rn.judged_by(12)  # type: ignore[arg-type]


def test_units_is_one_vocabulary() -> None:
    import typing

    assert typing.get_args(rn.Units) == ("conventional", "si")
    assert typing.get_type_hints(rn.read_value)["units"] == rn.Units
    assert typing.get_type_hints(rn.assess)["units"] == rn.Units
