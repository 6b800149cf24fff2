"""Examples from the guidelines, at and around every threshold, and real published values."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import rlsnutrition as rn
from rlsnutrition import fhir

S = rn.Status
FEMALE = rn.Context(sex="female")
FIXTURES = Path(__file__).parent / "fixtures" / "fhir"


def iron(labs: dict[str, object], ctx: rn.Context | None = None) -> rn.Finding:
    return rn.assess(labs, context=ctx).finding("iron")


# AASM 2024 RLS guideline: iron is suggested for ferritin <= 75 ng/mL (oral) or <= 100 ng/mL
# (IV ferric carboxymaltose), or TSAT < 20 %; IRLSSG 2018: no iron at TSAT >= 45 %, and the
# evidence for iron stops at ferritin 300 ug/L; WHO 2020: ferritin < 15 ug/L is iron deficiency.
@pytest.mark.parametrize(
    ("ferritin", "tsat", "status", "codes"),
    [
        (14.9, 25, S.DEFICIENT, ("consider-oral-iron", "consider-iv-iron", "see-clinician")),
        (15, 25, S.LOW, ("consider-oral-iron", "consider-iv-iron", "see-clinician")),
        (75, 25, S.LOW, ("consider-oral-iron", "consider-iv-iron", "see-clinician")),
        (75.1, 25, S.LOW, ("consider-iv-iron", "see-clinician")),
        (100, 25, S.LOW, ("consider-iv-iron", "see-clinician")),
        (100.1, 25, S.ADEQUATE, ()),
        (299.9, 20, S.ADEQUATE, ()),
        (299.9, 19.9, S.LOW, ("consider-iv-iron", "see-clinician")),
        (299.9, 44.9, S.ADEQUATE, ()),
        (300, 19.9, S.HIGH, ("see-clinician",)),
        (300, 44.9, S.ADEQUATE, ()),
        (300, 45, S.HIGH, ("avoid-iron-supplements", "see-clinician")),
        (75.1, 45, S.HIGH, ("avoid-iron-supplements", "see-clinician")),
        (
            75,
            45,
            S.INDETERMINATE,
            ("avoid-iron-supplements", "repeat-fasting-iron-studies", "see-clinician"),
        ),
    ],
)
def test_iron_at_and_around_the_rls_thresholds(
    ferritin: float, tsat: float, status: rn.Status, codes: tuple[str, ...]
) -> None:
    f = iron({"ferritin": ferritin, "tsat": tsat})
    assert f.status is status
    assert f.action_codes() == codes


def test_iron_rationale_names_value_threshold_and_source() -> None:
    f = iron({"ferritin": 45, "tsat": 25})
    assert f.rationale.startswith("Ferritin 45 ng/mL ≤ 75 ng/mL")
    assert "75" in f.rationale
    assert {r.id for r in f.references} >= {"aasm-rls-2024"}


def test_tsat_alone_can_say_low_but_never_adequate() -> None:
    low = iron({"tsat": 15})
    assert low.status is S.LOW
    assert low.action_codes() == ("see-clinician",)  # no iron before ferritin is known
    f = iron({"tsat": 30})
    assert f.status is S.INDETERMINATE
    assert "ferritin was not measured" in f.rationale


def test_normal_ferritin_with_raised_crp_is_indeterminate() -> None:
    # WHO 2020: with inflammation (CRP > 5 mg/L), ferritin < 70 ug/L still means deficiency.
    result = rn.assess({"ferritin": 150, "tsat": 25, "crp": 12})
    assert result.finding("iron").status is S.INDETERMINATE
    assert "ferritin-unreliable-inflammation" in [w.code for w in result.warnings]
    low = rn.assess({"ferritin": 60, "tsat": 25, "crp": 12})
    assert low.finding("iron").status is S.DEFICIENT
    calm = rn.assess({"ferritin": 150, "tsat": 25, "crp": 5})
    assert calm.finding("iron").status is S.ADEQUATE
    assert calm.warnings == ()


def test_crp_in_mg_dl_is_converted() -> None:
    result = rn.assess({"ferritin": 150, "tsat": 25, "crp": "1.2 mg/dL"})
    assert result.finding("iron").status is S.INDETERMINATE


def test_pregnancy_keeps_the_rls_targets_but_leaves_iv_iron_to_a_specialist() -> None:
    preg = rn.Context(sex="female", pregnant=True)
    f = iron({"ferritin": 50, "tsat": 25}, preg)
    assert f.status is S.LOW
    assert f.action_codes() == ("consider-oral-iron", "see-clinician")
    assert "specialist" in f.rationale
    between = iron({"ferritin": 90, "tsat": 25}, preg)
    assert between.status is S.LOW
    assert between.action_codes() == ("see-clinician",)
    assert iron({"ferritin": 120, "tsat": 25}, preg).status is S.ADEQUATE


def test_dialysis_uses_the_esrd_criteria() -> None:
    dialysis = rn.Context(dialysis=True)
    f = iron({"ferritin": 150, "tsat": 15}, dialysis)
    assert f.status is S.LOW
    assert f.action_codes() == ("consider-iv-iron", "see-clinician")
    assert iron({"ferritin": 150, "tsat": 25}, dialysis).status is S.ADEQUATE
    assert iron({"ferritin": 250, "tsat": 15}, dialysis).status is S.ADEQUATE


@pytest.mark.parametrize(
    ("labs", "status"),
    [
        ({"ferritin": 20}, S.INDETERMINATE),  # < 200: the criterion hangs on the missing TSAT
        ({"tsat": 10}, S.INDETERMINATE),
        ({"ferritin": 300}, S.INDETERMINATE),  # one iron value alone is never adequate
        ({"tsat": 25}, S.INDETERMINATE),
        ({"ferritin": 10}, S.DEFICIENT),
    ],
)
def test_dialysis_with_one_iron_value_never_claims_adequate_without_grounds(
    labs: dict[str, object], status: rn.Status
) -> None:
    f = iron(labs, rn.Context(dialysis=True))
    assert f.status is status, f.rationale
    assert str(next(iter(labs.values()))) in f.rationale  # the value is named
    if status is S.INDETERMINATE:
        assert f.action_codes() == ("see-clinician",)
        assert "was not measured" in f.rationale


def test_a_cut_off_not_met_is_never_worded_as_met() -> None:
    a = rn.assess({"magnesium": 2.1, "folate": 12, "plp": 50, "vitamin_d": 30})
    for nid in ("magnesium", "folate", "vitamin_b6", "vitamin_d"):
        f = a.finding(nid)
        assert f.status is S.ADEQUATE
        assert "which does not meet the cut-off for:" in f.rationale, f.rationale
    # and a cut-off that is met says what it means, plainly
    noted = rn.assess({"magnesium": 1.9}).finding("magnesium")
    assert noted.status is S.ADEQUATE
    assert "(2.066 mg/dL): below the higher lower limit" in noted.rationale
    assert "does not meet the cut-off for: below the higher" not in noted.rationale


@pytest.mark.parametrize(
    ("labs", "shown", "warning"),
    [
        ({"ferritin": "<5", "tsat": 10}, "Ferritin <5 ng/mL", None),
        (
            {"ferritin": 100, "tsat": 30, "crp": ">5"},
            "CRP >5 mg/L",
            "ferritin-unreliable-inflammation",
        ),
        ({"ferritin": 100, "tsat": 30, "crp": "<10"}, "crp <10 mg/L", None),
        ({"ferritin": 100, "tsat": 30, "hemoglobin": "<10"}, None, "anaemia"),
        ({"ferritin": 100, "tsat": 30, "hemoglobin": ">10"}, None, None),
    ],
)
def test_censored_values_are_quoted_as_reported_and_warn_only_when_sure(
    labs: dict[str, object], shown: str | None, warning: str | None
) -> None:
    a = rn.assess(labs)
    if shown is not None:
        assert shown in a.finding("iron").rationale
    assert [w.code for w in a.warnings] == ([warning] if warning else [])
    if warning == "anaemia":
        assert a.warnings[0].text.startswith("Hemoglobin <10 g/dL")


@pytest.mark.parametrize(
    ("hb", "ctx", "anaemic"),
    [
        (11.9, rn.Context(sex="female"), True),
        (12.0, rn.Context(sex="female"), False),
        (12.9, rn.Context(sex="male"), True),
        (13.0, rn.Context(sex="male"), False),
        (12.5, rn.Context(), False),
        (10.9, rn.Context(sex="female", pregnant=True), True),
        (11.0, rn.Context(sex="female", pregnant=True), False),
        ("119 g/L", rn.Context(sex="female"), True),
    ],
)
def test_hemoglobin_flags_anaemia_by_who_cut_offs(
    hb: object, ctx: rn.Context, anaemic: bool
) -> None:
    codes = [w.code for w in rn.assess({"hemoglobin": hb}, context=ctx).warnings]
    assert ("anaemia" in codes) is anaemic


@pytest.mark.parametrize(
    ("b12", "mma", "status", "codes"),
    [
        (179, None, S.DEFICIENT, ("see-clinician",)),
        (180, None, S.LOW, ("check-mma", "see-clinician")),
        (199, None, S.LOW, ("check-mma", "see-clinician")),
        (349, None, S.LOW, ("check-mma", "see-clinician")),
        (350, None, S.ADEQUATE, ()),
        (250, 0.5, S.DEFICIENT, ("see-clinician",)),
        (250, 0.2, S.ADEQUATE, ()),
        ("150 pmol/L", None, S.LOW, ("check-mma", "see-clinician")),
    ],
)
def test_b12_borderline_band_confirmed_by_mma(
    b12: object, mma: float | None, status: rn.Status, codes: tuple[str, ...]
) -> None:
    labs: dict[str, object] = {"b12": b12}
    if mma is not None:
        labs["mma"] = mma
    result = rn.assess(labs)
    f = result.finding("vitamin_b12")
    assert f.status is status
    assert f.action_codes() == codes
    assert ("mma" in result.missing_tests) is ("check-mma" in codes)


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("29.9 nmol/L", S.DEFICIENT),
        ("30 nmol/L", S.LOW),
        ("49.9 nmol/L", S.LOW),
        ("50 nmol/L", S.ADEQUATE),
        ("125 nmol/L", S.ADEQUATE),
        ("126 nmol/L", S.HIGH),
        (11, S.DEFICIENT),
        (25, S.ADEQUATE),
        (55, S.HIGH),
    ],
)
def test_vitamin_d_by_the_national_academies_cut_offs(value: object, status: rn.Status) -> None:
    assert rn.assess({"vitamin_d": value}).finding("vitamin_d").status is status


@pytest.mark.parametrize(
    ("labs", "status"),
    [
        ({"folate": 2.9}, S.DEFICIENT),
        ({"folate": 3.0}, S.LOW),
        ({"folate": "9.9 nmol/L"}, S.LOW),
        ({"folate": "10 nmol/L"}, S.ADEQUATE),
        ({"folate": 5.9}, S.ADEQUATE),
        ({"folate": ">20"}, S.ADEQUATE),
        ({"rbc_folate": 99}, S.DEFICIENT),
        ({"rbc_folate": 150}, S.LOW),
        ({"rbc_folate": "339 nmol/L"}, S.LOW),
        ({"rbc_folate": "340 nmol/L"}, S.ADEQUATE),
        ({"rbc_folate": 151}, S.ADEQUATE),
        ({"folate": 10, "rbc_folate": 90}, S.DEFICIENT),
        ({"folate": "13 nmol/L"}, S.ADEQUATE),
    ],
)
def test_folate_by_who_and_pfeiffer_cut_offs(labs: dict[str, object], status: rn.Status) -> None:
    assert rn.assess(labs).finding("folate").status is status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0.74 mmol/L", S.DEFICIENT),
        ("0.75 mmol/L", S.ADEQUATE),
        ("0.84 mmol/L", S.ADEQUATE),
        ("0.85 mmol/L", S.ADEQUATE),
        ("0.95 mmol/L", S.ADEQUATE),
        ("0.96 mmol/L", S.ADEQUATE),  # above the interval, inside the normal range: a note
        ("1.01 mmol/L", S.HIGH),
        ("2.04 mEq/L", S.HIGH),
        ("1.8 mEq/L", S.ADEQUATE),
        (2.2, S.ADEQUATE),
        (1.9, S.ADEQUATE),
        (1.8, S.DEFICIENT),
    ],
)
def test_serum_magnesium(value: object, status: rn.Status) -> None:
    assert rn.assess({"magnesium": value}).finding("magnesium").status is status


@pytest.mark.parametrize(
    ("ctx", "labs", "caution"),
    [
        (rn.Context(kidney_disease=True), {"magnesium": 2.0}, True),
        (rn.Context(dialysis=True), {}, True),
        (rn.Context(), {"magnesium": 2.0, "egfr": 45}, True),
        (rn.Context(), {"magnesium": 2.0, "egfr": 90}, False),
        (rn.Context(), {"magnesium": 2.0}, False),
    ],
)
def test_magnesium_kidney_caution(ctx: rn.Context, labs: dict[str, object], caution: bool) -> None:
    f = rn.assess(labs, context=ctx).finding("magnesium")
    assert ("magnesium-kidney-caution" in f.action_codes()) is caution


@pytest.mark.parametrize(
    ("value", "status"),
    [(19.9, S.DEFICIENT), (20, S.LOW), (29.9, S.LOW), (30, S.ADEQUATE), ("6 ug/L", S.LOW)],
)
def test_vitamin_b6_by_plasma_plp(value: object, status: rn.Status) -> None:
    assert rn.assess({"plp": value}).finding("vitamin_b6").status is status


@pytest.mark.parametrize(
    ("ferritin", "status"),
    [
        ("<5", S.DEFICIENT),
        ("<50", S.LOW),  # deficient or low: the common actions, the less severe status
        (">150", S.ADEQUATE),  # no iron below or above the ferritin ceiling with TSAT 25
        (">300", S.ADEQUATE),  # at or above the ceiling with a normal TSAT: no iron, not high
        ("<=15", S.LOW),
    ],
)
def test_censored_values_are_judged_conservatively_and_say_so(
    ferritin: str, status: rn.Status
) -> None:
    f = iron({"ferritin": ferritin, "tsat": 25})
    assert f.status is status
    assert "reported as" in f.rationale.lower()
    assert f.values[0].comparator == ferritin.rstrip("0123456789")


@pytest.mark.parametrize(
    ("spelling"),
    ["45 ng/mL", "45", "45ng/ml", "45 ug/L", "45 µg/L", "45 μg/L", "45 mcg/L", " 45  NG/ML "],
)
def test_ferritin_spellings_labs_really_use(spelling: str) -> None:
    given, plain = iron({"ferritin": spelling, "tsat": 25}), iron({"ferritin": 45, "tsat": 25})
    assert attrs.evolve(given, rationale="", values=(), reasons=()) == attrs.evolve(
        plain, rationale="", values=(), reasons=()
    )
    assert [(v.value, v.unit, v.given_value) for v in given.values] == [
        (v.value, v.unit, v.given_value) for v in plain.values
    ]
    # the rationale quotes the value in the unit it was given in
    unit = "ng/mL" if "ng" in spelling.lower() or spelling.strip() == "45" else "µg/L"
    assert given.rationale.startswith(f"Ferritin 45 {unit} ")


def test_analyte_keys_may_be_ids_aliases_or_loinc_codes() -> None:
    by_id = rn.assess({"ferritin": 45, "tsat": 18, "vitamin_d": 25, "b12": 400})
    by_code = rn.assess({"2276-4": 45, "2502-3": 18, "1989-3": 25, "2132-9": 400})
    assert by_id == by_code


@pytest.mark.parametrize(
    ("labs", "error", "needle"),
    [
        ({"feritin": 45}, rn.UnknownAnalyteError, "feritin"),
        ({"ferritin": "45 furlongs"}, rn.UnknownUnitError, "furlongs"),
        ({"tsat": "0.3 fraction"}, rn.UnknownUnitError, "fraction"),
        ({"serum_iron": "20 ug/L"}, rn.UnknownUnitError, "ug/L"),
        ({"ferritin": -1}, rn.InvalidLabValueError, "negative"),
        ({"ferritin": float("nan")}, rn.InvalidLabValueError, "finite"),
        ({"ferritin": "lots"}, rn.InvalidLabValueError, "lots"),
        ({"tsat": 101}, rn.InvalidLabValueError, "tsat"),
        ({"ferritin": True}, rn.InvalidLabValueError, "True"),
        ({"ferritin": (45, "ng/mL", "x")}, rn.InvalidLabValueError, "tuple"),
    ],
)
def test_bad_input_names_the_input_and_what_is_accepted(
    labs: dict[str, object], error: type[Exception], needle: str
) -> None:
    with pytest.raises(error) as info:
        rn.assess(labs)
    assert needle in str(info.value)
    assert isinstance(info.value, rn.RLSNutritionError)


def test_unknown_analyte_suggests() -> None:
    with pytest.raises(rn.UnknownAnalyteError) as info:
        rn.assess({"feritin": 45})
    assert "ferritin" in info.value.suggestions


def test_wrong_whole_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        rn.assess(None)
    with pytest.raises(TypeError):
        rn.assess(5)
    with pytest.raises(TypeError):
        rn.assess({"ferritin": 45}, context={"sex": "female"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sex": "F"},
        {"age": -1},
        {"age": 2.5},
        {"pregnant": "yes"},
        {"sex": "male", "pregnant": True},
    ],
)
def test_context_rejects_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(rn.InvalidArgumentError):
        rn.Context(**kwargs)  # type: ignore[arg-type]


def test_the_same_analyte_twice_with_different_values_is_an_error_unless_dated() -> None:
    with pytest.raises(rn.InvalidLabValueError, match="twice"):
        rn.assess({"ferritin": 45, "2276-4": 60})
    newer = rn.assess(
        [
            rn.LabResult("ferritin", 45, when="2024-01-01"),
            rn.LabResult("ferritin", 150, when="2025-01-01"),
            rn.LabResult("tsat", 25),
        ]
    )
    assert newer.finding("iron").status is S.ADEQUATE


def test_report_reads_at_a_glance() -> None:
    text = str(rn.assess({"ferritin": 45, "tsat": 18}, context=FEMALE))
    assert text.splitlines()[0] == "RLS nutrition assessment"
    assert "iron" in text and "low" in text
    assert "[consider-oral-iron]" in text
    assert text.rstrip().endswith(rn.DISCLAIMER)


def test_children_are_warned_that_thresholds_are_for_adults() -> None:
    codes = [w.code for w in rn.assess({"ferritin": 40}, context=rn.Context(age=8)).warnings]
    assert "adult-thresholds" in codes


def test_smart_patient_8888803_iron_panel_of_2015_04_29_is_iron_deficient() -> None:
    path = FIXTURES / "smart-sample-patients-stu3" / "patient-8888803.fhir-bundle.01.trimmed.json"
    panel = _panel_on(path, "2015-04-29")  # the file's newest results are from 2016
    assert {r.analyte for r in panel} >= {"ferritin", "tsat", "hemoglobin", "vitamin_d"}
    result = rn.assess(panel, context=rn.Context(sex="female"))
    assert result.finding("iron").status is S.DEFICIENT  # ferritin 4 ug/L, TSAT 4 %
    assert result.finding("vitamin_d").status is S.DEFICIENT  # 25(OH)D 5 ng/mL
    assert "anaemia" in [w.code for w in result.warnings]  # Hgb 10.5 g/dL


def _panel_on(path: Path, day: str) -> list[rn.LabResult]:
    """Every judged result of one day, read through the FHIR adapter one Observation at a time."""
    import json

    bundle = json.loads(path.read_text("utf-8"))
    out: list[rn.LabResult] = []
    for entry in bundle["entry"]:
        res = entry["resource"]
        if res.get("resourceType") == "Observation" and str(
            res.get("effectiveDateTime", "")
        ).startswith(day):
            out.extend(fhir.read(res).results)
    return out


@pytest.mark.parametrize(
    ("labs", "needle"),
    [
        ({"ferritin": rn.LabResult("tsat", 10)}, "LabResult for 'tsat'"),
        ({"ferritin": rn.LabResult("ferritin", "<5", comparator=">")}, "disagree"),
        ({"ferritin": rn.LabResult("ferritin", "5 ng/mL", unit="ug/L")}, "unit once"),
    ],
)
def test_a_lab_result_that_contradicts_itself_or_its_key_is_refused(
    labs: dict[str, object], needle: str
) -> None:
    with pytest.raises(rn.InvalidLabValueError, match=needle):
        rn.assess(labs)


def test_a_lab_result_under_an_alias_of_its_analyte_is_fine() -> None:
    a = rn.assess({"2276-4": rn.LabResult("ferritin", 45), "Ferritin": 45})
    assert a.finding("iron").values[0].value == 45
