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
