"""How assess reads values: units="si", plausibility bounds, one comparator vocabulary, linear
parsing of any text, and output that never depends on earlier calls."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition import _parse

S = rn.Status

# The DESIGN table's SI column, written out here rather than read from the library.
SI_UNITS = {
    "ferritin": "µg/L",
    "tsat": "%",
    "serum_iron": "µmol/L",
    "tibc": "µmol/L",
    "hemoglobin": "g/L",
    "crp": "mg/L",
    "vitamin_b12": "pmol/L",
    "mma": "µmol/L",
    "homocysteine": "µmol/L",
    "vitamin_d": "nmol/L",
    "folate": "nmol/L",
    "rbc_folate": "nmol/L",
    "magnesium": "mmol/L",
    "plp": "nmol/L",
    "egfr": "mL/min/1.73m2",
}
# A typical SI value for each, inside every plausibility bound.
SI_VALUES = {
    "ferritin": 45,
    "tsat": 18,
    "serum_iron": 10.7,
    "tibc": 68,
    "hemoglobin": 125,
    "crp": 3,
    "vitamin_b12": 185,
    "mma": 0.3,
    "homocysteine": 12,
    "vitamin_d": 45,
    "folate": 11,
    "rbc_folate": 680,
    "magnesium": 0.78,
    "plp": 25,
    "egfr": 80,
}


@pytest.mark.parametrize("analyte", sorted(SI_UNITS))
def test_units_si_reads_bare_numbers_in_the_si_column(analyte: str) -> None:
    value = SI_VALUES[analyte]
    bare = rn.assess({analyte: value}, units="si")
    explicit = rn.assess({analyte: f"{value} {SI_UNITS[analyte]}"})
    assert bare == explicit
    (judged,) = {v for f in bare.findings for v in f.values}
    assert judged.given_unit == SI_UNITS[analyte]


def test_units_si_changes_a_verdict_only_through_the_unit() -> None:
    # 0.8 read as mg/dL is deficient magnesium; read as mmol/L (SI) it is in range.
    assert rn.assess({"magnesium": 0.8}).finding("magnesium").status is S.DEFICIENT
    assert rn.assess({"magnesium": 0.8}, units="si").finding("magnesium").status is S.ADEQUATE
    # a unit written with the value wins over units=
    assert rn.assess({"magnesium": "2.1 mg/dL"}, units="si").finding("magnesium").status is (
        S.ADEQUATE
    )


@given(st.text(max_size=20).filter(lambda u: u not in ("conventional", "si")))
def test_any_other_units_value_is_an_invalid_argument(units: str) -> None:
    with pytest.raises(rn.InvalidArgumentError, match="units must be"):
        rn.assess({"ferritin": 45}, units=units)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("labs", "units", "likely"),
    [
        ({"hemoglobin": 125}, "conventional", "most likely in g/L"),
        ({"hemoglobin": "125 g/dL"}, "conventional", "most likely in g/L"),
        ({"magnesium": "30 mmol/L"}, "conventional", "most likely in mg/L"),
        ({"magnesium": 30}, "si", "most likely in mg/L"),
        ({"vitamin_d": "3000 ng/mL"}, "conventional", "most likely in nmol/L"),
        ({"ferritin": 1e8}, "conventional", "no unit ferritin accepts makes it plausible"),
        ({"ferritin": "100000000 ug/L"}, "si", "no unit ferritin accepts makes it plausible"),
    ],
)
def test_an_impossible_value_names_the_unit_it_most_likely_was_in(
    labs: dict[str, object], units: str, likely: str
) -> None:
    with pytest.raises(rn.InvalidLabValueError, match="impossible") as info:
        rn.assess(labs, units=units)  # type: ignore[arg-type]
    assert likely in str(info.value)
    assert next(iter(labs)) in str(info.value)


@pytest.mark.parametrize(
    ("labs", "status"),
    [
        ({"hemoglobin": 30}, None),  # the bound itself is plausible
        ({"ferritin": 1_000_000, "tsat": 30}, S.ADEQUATE),  # no iron; TSAT normal
        ({"magnesium": "10 mmol/L"}, S.HIGH),
        ({"magnesium": "20 mg/L"}, S.ADEQUATE),  # French labs report mg/L
    ],
)
def test_values_at_the_bounds_are_judged(labs: dict[str, object], status: rn.Status | None) -> None:
    a = rn.assess(labs)
    if status is not None:
        f = next(f for f in a.findings if f.status is not S.NOT_TESTED)
        assert f.status is status


@pytest.mark.parametrize(
    ("spelled", "canonical"),
    [("≤", "<="), ("≥", ">="), ("<=", "<="), (">=", ">="), ("<", "<"), (">", ">")],
)
def test_one_comparator_vocabulary_for_strings_tuples_and_lab_results(
    spelled: str, canonical: str
) -> None:
    expected = rn.assess({"ferritin": f"{canonical}15", "tsat": 25})
    as_text = rn.assess({"ferritin": f"{spelled}15", "tsat": 25})
    as_tuple = rn.assess({"ferritin": (f"{spelled} 15", None), "tsat": 25})
    as_result = rn.assess(
        [rn.LabResult("ferritin", 15, comparator=spelled), rn.LabResult("tsat", 25)]
    )  # type: ignore[arg-type]
    assert as_text == as_tuple == as_result == expected
    assert expected.finding("iron").values[0].comparator == canonical


def test_a_lab_result_at_or_below_is_never_judged_as_at_or_above() -> None:
    # "≤ 10" ferritin is deficient whatever it is; "≥ 10" could be anything.
    below = rn.assess([rn.LabResult("ferritin", 10, comparator="≤"), rn.LabResult("tsat", 25)])  # type: ignore[arg-type]
    above = rn.assess([rn.LabResult("ferritin", 10, comparator="≥"), rn.LabResult("tsat", 25)])  # type: ignore[arg-type]
    assert below.finding("iron").status is S.DEFICIENT
    assert above.finding("iron").status is S.INDETERMINATE


@pytest.mark.parametrize(
    "text",
    [
        " " * 40_000 + "a",
        "<" + " " * 40_000 + "a",
        " " * 40_000 + "<" + " " * 40_000 + "x",
        "1" * 40_000 + " " * 40_000 + "e",
        "1." + "1" * 40_000 + "e" + " " * 40_000,
        "<" * 40_000,
        "4" + "5" * 50_000 + " " * 50_000 + "ng/m",
    ],
)
def test_adversarial_text_ends_quickly_in_a_typed_error(text: str) -> None:
    with pytest.raises((rn.InvalidLabValueError, rn.UnknownUnitError)) as info:
        rn.assess({"ferritin": text})
    assert "ferritin" in str(info.value)


@given(st.text(alphabet=" \t<>=≤≥0123456789.eE+-a%/gLm", max_size=400))
def test_any_text_gives_a_result_or_a_typed_error(text: str) -> None:
    try:
        result = rn.assess({"ferritin": text})
    except (rn.InvalidLabValueError, rn.UnknownUnitError) as exc:
        assert "ferritin" in str(exc)
    else:
        assert result.finding("iron").values[0].analyte == "ferritin"


def test_output_never_depends_on_earlier_calls() -> None:
    fresh = {}
    for value in (0.0, -0.0, 0, "0", "-0", "-0.0 ng/mL", (-0.0, "ng/mL")):
        _parse._memo["conventional"].clear()
        fresh[repr(value)] = rn.assess({"ferritin": value, "tsat": 25}).to_json()
    for first in (-0.0, 0.0, "-0", 0):
        rn.assess({"ferritin": first, "tsat": 25})
        for value in (0.0, -0.0, 0, "0", "-0", "-0.0 ng/mL", (-0.0, "ng/mL")):
            again = rn.assess({"ferritin": value, "tsat": 25}).to_json()
            assert again == fresh[repr(value)]
            assert "-0" not in again


def test_the_value_memo_keeps_no_long_keys() -> None:
    _parse._memo["conventional"].clear()
    for i in range(200):
        text = f"{40 + i % 7}" + " " * 100_000 + "ng/mL"
        assert rn.assess({"ferritin": text, "tsat": 25}).finding("iron").status is S.LOW
    keys = [key for memos in _parse._memo.values() for memo in memos.values() for key in memo]
    assert keys  # short values are remembered
    assert sum(len(key) for key in keys if isinstance(key, str)) < 10_000


@given(st.floats(0, 1, exclude_max=True), st.sampled_from(["{}", "{} %", "{}%", "{} percent"]))
def test_a_tsat_given_as_a_fraction_is_refused_naming_the_fraction(
    fraction: float, spelling: str
) -> None:
    with pytest.raises(rn.InvalidLabValueError, match="fraction"):
        rn.assess({"ferritin": 150, "tsat": fraction})
    with pytest.raises(rn.InvalidLabValueError, match="fraction"):
        rn.assess({"ferritin": 150, "tsat": spelling.format(fraction)})


def test_a_tsat_of_1_percent_is_read() -> None:
    assert rn.assess({"ferritin": 150, "tsat": 1}).finding("iron").status is rn.Status.LOW


def test_tsat_is_derived_from_serum_iron_and_tibc_and_says_so() -> None:
    a = rn.assess({"ferritin": 150, "serum_iron": "9 umol/L", "tibc": "60 umol/L"})
    f = a.finding("iron")
    (tsat,) = [v for v in f.values if v.analyte == "tsat"]
    assert tsat.value == pytest.approx(15.0)
    assert f.reasons[0].note == "iron.tsat-derived"
    assert "derived as serum iron / TIBC" in f.rationale
    assert "tsat" not in a.missing_tests
    reported = rn.assess({"ferritin": 150, "tsat": 30, "serum_iron": 9, "tibc": 60})
    assert all(r.note != "iron.tsat-derived" for r in reported.finding("iron").reasons)


@pytest.mark.parametrize("labs", [{"serum_iron": 300, "tibc": 250}, {"serum_iron": 0, "tibc": 0}])
def test_serum_iron_above_tibc_is_refused(labs: dict[str, float]) -> None:
    with pytest.raises(
        rn.InvalidLabValueError, match=r"serum_iron .* and tibc .* give no transferrin"
    ):
        rn.assess(labs)


def test_a_censored_serum_iron_gives_no_derived_tsat() -> None:
    a = rn.assess({"ferritin": 150, "serum_iron": "<10", "tibc": 300})
    assert "tsat" in a.missing_tests


@pytest.mark.parametrize("units", ["conventional", "si"])
def test_an_mma_in_nmol_per_litre_given_bare_is_refused_naming_nmol(units: str) -> None:
    # A US laboratory's MMA of 200 nmol/L (normal) read as 200 µmol/L would be "deficient".
    with pytest.raises(rn.InvalidLabValueError, match="most likely in nmol/L"):
        rn.assess({"vitamin_b12": 500, "mma": 200}, units=units)  # type: ignore[arg-type]
    assert rn.assess({"vitamin_b12": 500, "mma": 100}).finding("vitamin_b12").status.value == (
        "deficient"
    )
    with pytest.raises(rn.InvalidLabValueError, match="above 100 µmol/L"):
        rn.assess({"mma": 100.5})


# Each analyte's upper sanity limit in its default unit, as the data states it (with reasoning).
UPPER = {
    "vitamin_b12": 100_000,
    "mma": 100,
    "homocysteine": 1000,
    "folate": 1000,
    "rbc_folate": 10_000,
    "plp": 10_000,
    "crp": 2000,
    "serum_iron": 2000,
    "tibc": 1500,
    "egfr": 300,
}


@pytest.mark.parametrize(("analyte", "bound"), sorted(UPPER.items()))
def test_every_analyte_has_an_upper_sanity_limit(analyte: str, bound: float) -> None:
    rn.assess({analyte: bound})  # the bound itself is plausible
    with pytest.raises(rn.InvalidLabValueError, match=f"{analyte} value .* is impossible"):
        rn.assess({analyte: bound * 1.001})


@pytest.mark.parametrize(
    ("labs", "units", "hint"),
    [
        ({"hemoglobin": 4}, "si", "most likely in g/dL or mmol/L"),  # 4 g/L = 0.4 g/dL
        ({"hemoglobin": 0.4}, "conventional", "most likely in mmol/L"),
        ({"hemoglobin": "3 g/L"}, "conventional", "below 5 g/L"),
    ],
)
def test_a_hemoglobin_too_low_to_be_real_names_the_likely_unit(
    labs: dict[str, object], units: str, hint: str
) -> None:
    with pytest.raises(rn.InvalidLabValueError, match=hint):
        rn.assess(labs, units=units)  # type: ignore[arg-type]


def test_the_lowest_hemoglobin_a_survivor_had_is_still_read() -> None:
    # 0.7 g/dL (Dai et al. 2010): the lower bound, 0.5 g/dL, is below it.
    assert [w.code for w in rn.assess({"hemoglobin": 0.7}).warnings] == ["anaemia"]
    assert [w.code for w in rn.assess({"hemoglobin": 0.5}).warnings] == ["anaemia"]
    # No lower bound for magnesium: 0.03 mmol/L has been reported in a survivor.
    f = rn.assess({"magnesium": "0.03 mmol/L"}).finding("magnesium")
    assert f.status is rn.Status.DEFICIENT
