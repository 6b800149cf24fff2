"""Reading FHIR lab results: every published fixture, with the values SOURCES.md gives."""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition import fhir

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"
CORE = FIXTURES / "hl7-fhir-r4-core-examples"
SMART = FIXTURES / "smart-sample-patients-stu3"
SMART_01 = SMART / "patient-8888803.fhir-bundle.01.trimmed.json"
SYNTHEA = (
    FIXTURES
    / "synthea-smart-on-fhir-generated-sample-data"
    / "Micah_Schinner_d4d72610-ec40-42ed-b34f-09e286181ee9.trimmed.json"
)
GENERAL = CORE / "Bundle-72ac8493-52ac-41bd-8d5d-7258c289b5ea.json"
ALL_FILES = sorted(FIXTURES.rglob("*.json"))


def by_analyte(labs: fhir.FhirLabs) -> dict[str, rn.LabResult]:
    return {r.analyte: r for r in labs.results}


def reasons(labs: fhir.FhirLabs) -> Counter[str]:
    return Counter(s.reason_code for s in labs.skipped)


def test_every_fixture_file_loads() -> None:
    assert len(ALL_FILES) == 12
    for path in ALL_FILES:
        try:
            labs = fhir.read(path)
        except fhir.FhirError as exc:
            assert path == GENERAL, path
            assert "Patient/1" in str(exc)
            labs = fhir.read(path, patient="Patient/1")
        assert isinstance(labs, fhir.FhirLabs)
        rn.assess(labs)  # everything read can be judged


def test_hemoglobin_with_display_unit_in_another_case_and_an_effective_period() -> None:
    labs = fhir.read(CORE / "Observation-f005.json")
    hb = by_analyte(labs)["hemoglobin"]
    assert (hb.value, hb.unit) == (7.2, "g/dL")
    assert hb.when == "2013-04-05T10:30:10+01:00"
    assert labs.subject == "Patient/f001"
    warning_codes = [w.code for w in rn.assess(labs, context=rn.Context(sex="male")).warnings]
    assert "anaemia" in warning_codes


def test_egfr_components_with_a_comparator_and_only_issued() -> None:
    labs = fhir.read(CORE / "Observation-f205.json")
    # Both components are eGFR at one instant, and differ (">60" by one formula, 60 by the
    # other): neither can be preferred, so both are reported as conflicting, none is guessed.
    assert "egfr" not in by_analyte(labs)
    assert reasons(labs) == Counter({"conflicting": 2})
    assert all("(60 mL/min/{1.73_m2} and >60 mL/min/{1.73_m2})" in s.reason for s in labs.skipped)
    # one of them alone is read, with its comparator, unit and date
    doc = json.loads((CORE / "Observation-f205.json").read_text("utf-8"))
    doc["component"] = doc["component"][:1]
    egfr = by_analyte(fhir.read(doc))["egfr"]
    assert (egfr.value, egfr.comparator, egfr.unit) == (60, ">", "mL/min/{1.73_m2}")
    assert egfr.when is not None


def test_the_same_result_twice_at_one_time_is_kept_once() -> None:
    obs = observation("2276-4", {"value": 45, "unit": "ng/mL"}, effectiveDateTime="2024-01-01")
    labs = fhir.read(bundle_of(obs, copy.deepcopy(obs)))
    assert [r.value for r in labs.results] == [45]
    assert reasons(labs) == Counter({"superseded": 1})


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Observation-unsat.json", "status-not-final"),
        ("Observation-vp-oyster.json", "status-not-final"),
    ],
)
def test_results_that_must_not_be_judged_are_skipped_with_a_reason(name: str, reason: str) -> None:
    labs = fhir.read(CORE / name)
    assert labs.results == ()
    assert [s.reason_code for s in labs.skipped] == [reason]
    assert "status" in labs.skipped[0].reason


def test_data_absent_reason_is_skipped_even_when_final() -> None:
    doc = json.loads((CORE / "Observation-unsat.json").read_text("utf-8"))
    doc["status"] = "final"
    labs = fhir.read(doc)
    assert [s.reason_code for s in labs.skipped] == ["data-absent"]


def test_hemoglobin_in_g_per_l_through_hasmember_panels() -> None:
    labs = fhir.read(CORE / "Bundle-ghp.json")
    hb = by_analyte(labs)["hemoglobin"]
    assert (hb.value, hb.unit) == (176, "g/L")
    assert hb.when is not None  # from the panel or report, not the leaf
    assert rn.assess(labs).findings[0].status is rn.Status.NOT_TESTED


def test_several_subjects_need_a_patient_and_never_mix() -> None:
    with pytest.raises(fhir.FhirError) as info:
        fhir.read(GENERAL)
    message = str(info.value)
    assert all(f"Patient/{i}" in message for i in range(1, 11))
    assert "patient=" in message
    one = fhir.read(GENERAL, patient="Patient/1")
    # the entries give their server: the subject is named in full
    assert one.subject == "https://example.com/base/Patient/1"
    assert fhir.read(GENERAL, patient=one.subject) == one
    iron = by_analyte(one)["serum_iron"]
    assert iron.unit == "umol/L"
    assert iron.when is not None and iron.when.startswith("2005-01-27")
    other = fhir.read(GENERAL, patient="Patient/2")
    assert other.results != one.results
    with pytest.raises(fhir.FhirError, match="Patient/99"):
        fhir.read(GENERAL, patient="Patient/99")


def test_report_with_references_it_does_not_hold() -> None:
    labs = fhir.read(FIXTURES / "hl7-us-core" / "diagnosticreport-cbc.json")
    assert labs.results == ()
    assert reasons(labs) == Counter({"unresolved-reference": 8})


def test_us_core_hemoglobin() -> None:
    hb = by_analyte(fhir.read(FIXTURES / "hl7-us-core" / "observation-cbc-hemoglobin.json"))
    assert (hb["hemoglobin"].value, hb["hemoglobin"].when) == (17, "2005-07-05")


def test_synthea_keeps_the_newest_and_skips_egfr_per_minute() -> None:
    labs = fhir.read(SYNTHEA)
    hb = by_analyte(labs)["hemoglobin"]
    assert hb.when is not None and hb.when.startswith("2018-05-31")
    assert reasons(labs)["superseded"] == 8  # 9 hemoglobins, the newest kept
    # Synthea writes eGFR in mL/min, not per 1.73 m2: not the unit the analyte is judged in.
    egfr_skips = [s for s in labs.skipped if s.code == "33914-3"]
    assert len(egfr_skips) == 6
    assert {s.reason_code for s in egfr_skips} == {"unit-not-accepted"}
    # the Patient is a urn:uuid entry: that is who the results are about
    assert labs.subject == "urn:uuid:720b9118-3153-40c8-b162-cd963506be0e"
    patient_id = next(
        e["resource"]["id"]
        for e in json.loads(SYNTHEA.read_text("utf-8"))["entry"]
        if e["resource"]["resourceType"] == "Patient"
    )
    assert fhir.read(SYNTHEA, patient=f"Patient/{patient_id}") == labs


def test_smart_iron_deficiency_series() -> None:
    labs = fhir.read(SMART_01)
    got = by_analyte(labs)
    assert (got["ferritin"].value, got["ferritin"].unit, got["ferritin"].when) == (
        11,
        "ug/L",
        "2016-06-09",
    )
    assert (got["tsat"].value, got["folate"].comparator, got["folate"].value) == (10, ">", 20)
    assert "serum_iron" not in got  # labelled ug/L at 20: implausible, skipped with its reason
    iron_skips = [s for s in labs.skipped if s.code == "2498-4"]
    assert [s.reason_code for s in iron_skips] == ["unit-not-accepted"] * 2
    assert "ug/L" in iron_skips[0].reason
    assert labs.notes and "unknown" in labs.notes[0]
    result = rn.assess(labs, context=rn.Context(sex="female"))
    assert result.finding("iron").status is rn.Status.DEFICIENT  # ferritin 11 ug/L
    assert result.finding("folate").status is rn.Status.ADEQUATE  # ">20": judged as a range
    assert "reported as" in result.finding("folate").rationale


def test_smart_magnesium() -> None:
    got = by_analyte(fhir.read(SMART / "patient-2042917.fhir-bundle.trimmed.json"))
    assert (got["magnesium"].value, got["magnesium"].unit) == (2.2, "mg/dL")


def test_json_text_and_paths_read_the_same() -> None:
    text = SMART_01.read_text("utf-8")
    assert fhir.read(text) == fhir.read(SMART_01) == fhir.read(str(SMART_01))
    assert fhir.read(json.loads(text)) == fhir.read(SMART_01)


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("{not json", "not valid JSON"),
        ('{"resourceType": "Patient", "id": "x"}', "Patient"),
        ("[1, 2]", "list"),
        ("/no/such/file.json", "/no/such/file.json"),
    ],
)
def test_unreadable_sources_raise_fhir_error(source: str, needle: str) -> None:
    with pytest.raises(fhir.FhirError, match=needle):
        fhir.read(source)
    assert issubclass(fhir.FhirError, rn.RLSNutritionError)


def test_wrong_python_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        fhir.read(5)


def observation(code: str, value: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": "Patient/p"},
    }
    if value is not None:
        obs["valueQuantity"] = value
    obs.update(extra)
    return obs


def test_value_quantity_comparator_and_value_string() -> None:
    labs = fhir.read(observation("2276-4", {"value": 5, "comparator": "<", "unit": "ng/mL"}))
    assert labs.results[0].comparator == "<"
    labs = fhir.read(observation("2276-4", valueString="<5 ng/mL"))
    assert (labs.results[0].value, labs.results[0].comparator) == (5, "<")
    labs = fhir.read(observation("2276-4", {"value": 5, "comparator": "ad"}))
    assert reasons(labs) == Counter({"invalid-value": 1})


@given(
    st.integers()
    | st.integers(2**1000, 2**1100)
    | st.floats()
    | st.text(max_size=12)
    | st.from_regex(r"[<>]?=?\s*-?\d{1,400}(\.\d*)?(e\d{1,3})?\s*(ng/mL)?", fullmatch=True),
    st.sampled_from(["valueQuantity", "valueString", "valueInteger"]),
)
def test_any_value_is_read_or_skipped_with_a_reason(value: Any, field: str) -> None:
    # json.loads gives arbitrarily large ints and NaN / Infinity floats: every one of them must
    # come back as a judgeable result or as a skip, never as an exception.
    if field == "valueQuantity":
        obs = observation("2276-4", {"value": value, "unit": "ng/mL"})
    else:
        obs = observation("2276-4", **{field: value})
    labs = fhir.read(obs)
    assert len(labs.results) + len(labs.skipped) == 1
    if labs.results:
        rn.assess(labs)  # what read accepts, assess judges
    else:
        assert labs.skipped[0].reason_code in {"invalid-value", "no-value", "unit-not-accepted"}


def test_searchset_and_nested_bundles_and_dates() -> None:
    older = observation("2276-4", {"value": 20, "unit": "ng/mL"}, effectiveDateTime="2024-01")
    newer = observation("2276-4", {"value": 150, "unit": "ng/mL"}, issued="2024-03-01T09:00:00Z")
    undated = observation("2276-4", {"value": 5, "unit": "ng/mL"})
    inner = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": newer}]}
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": older}, {"resource": inner}, {"resource": undated}],
    }
    labs = fhir.read(bundle)
    assert [r.value for r in labs.results] == [150]
    assert reasons(labs) == Counter({"superseded": 2})


def bundle_of(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


SMART_01_DOC = json.loads(SMART_01.read_text("utf-8"))


@settings(max_examples=30)  # each example reads a 375 KB bundle
@given(st.randoms(use_true_random=False))
def test_the_order_of_bundle_entries_does_not_matter(rnd: random.Random) -> None:
    doc = SMART_01_DOC
    expected = fhir.read(doc)
    shuffled = {**doc, "entry": list(doc["entry"])}  # read never changes its input
    rnd.shuffle(shuffled["entry"])
    got = fhir.read(shuffled)
    assert got.results == expected.results
    assert sorted(map(str, got.skipped)) == sorted(map(str, expected.skipped))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "resourceType", "status", "code", "coding", "system", "valueQuantity", "value", "unit",
        "comparator", "valueString", "component", "subject", "reference", "entry", "resource",
        "result", "hasMember", "effectiveDateTime", "issued", "dataAbsentReason", "fullUrl",
        "contained", "id", "related", "target", "type", "meta", "versionId", "lastUpdated",
        "valueCodeableConcept", "medicationCodeableConcept", "medicationReference", "gender",
        "birthDate", "identifier", "display", "clinicalStatus", "stage", "summary", "taken",
    ]
)  # fmt: skip
FHIRISH = st.recursive(
    st.none()
    | st.integers()
    | st.floats()
    | st.sampled_from(
        [
            "Observation",
            "Bundle",
            "DiagnosticReport",
            "final",
            "unknown",
            "http://loinc.org",
            "2276-4",
            "2502-3",
            "ng/mL",
            "%",
            "<",
            "ad",
            "Patient/1",
            "Patient/2",
            "2024-01-01",
            ">5",
            "Patient",
            "Condition",
            "MedicationStatement",
            "#p",
            "p",
            "1",
            "urn:uuid:1",
            "http://a.org/fhir/Patient/1",
            "http://a.org/fhir/Observation/1",
            "Observation/1",
            "Patient/1/_history/2",
            "has-member",
            "entered-in-error",
            "female",
            "1990-01-01",
            "82810-3",
            "LA15173-0",
            "N18.4",
            "http://hl7.org/fhir/sid/icd-10-cm",
            "http://www.whocc.no/atc",
            "N06AB06",
        ]
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)


@given(st.one_of(JSONISH, FHIRISH))
def test_any_json_gives_fhirlabs_or_fhir_error(doc: Any) -> None:
    for candidate in (
        doc,
        {"resourceType": "Bundle", "entry": doc},
        bundle_of(doc) if isinstance(doc, dict) else doc,
    ):
        if not isinstance(candidate, dict):
            candidate = {"resourceType": "Observation", "valueQuantity": candidate}
        try:
            labs = fhir.read(candidate)
        except fhir.FhirError as exc:
            assert str(exc)
        else:
            assert isinstance(labs, fhir.FhirLabs)
            rn.assess(labs)


def test_deep_nesting_is_a_fhir_error_not_a_recursion_error() -> None:
    with pytest.raises(fhir.FhirError, match="JSON"):
        fhir.read("[" * 100_000 + "]" * 100_000)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "entry": []}
    for _ in range(5_000):
        bundle = {"resourceType": "Bundle", "entry": [{"resource": bundle}]}
    with pytest.raises(fhir.FhirError, match="nested too deeply"):
        fhir.read(bundle)


def test_json_text_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    obs = observation("2276-4", {"value": 45, "unit": "ng/mL"})
    text = "\ufeff" + json.dumps(obs)
    assert fhir.read(text).results[0].value == 45
    path = tmp_path / "obs.json"
    path.write_text(text, encoding="utf-8")
    assert fhir.read(path).results[0].value == 45


@pytest.mark.parametrize("comparator", [["<"], {}, 5, None])
def test_an_odd_comparator_is_skipped_as_invalid(comparator: Any) -> None:
    labs = fhir.read(observation("2276-4", {"value": 5, "unit": "ng/mL", "comparator": comparator}))
    if comparator is None:
        assert labs.results
    else:
        assert reasons(labs) == Counter({"invalid-value": 1})


def _about(obs: dict[str, Any], subject: dict[str, Any] | None) -> dict[str, Any]:
    obs = dict(obs)
    obs.pop("subject", None)
    if subject is not None:
        obs["subject"] = subject
    return obs


FERRITIN = observation("2276-4", {"value": 10, "unit": "ng/mL"})
TSAT = observation("2502-3", {"value": 50, "unit": "%"})


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (
            {"identifier": {"system": "mrn", "value": "A"}},
            {"identifier": {"system": "mrn", "value": "B"}},
        ),
        ({"display": "Ann"}, {"display": "Bob"}),
        (
            {"reference": "http://a.org/fhir/Patient/1"},
            {"reference": "http://b.org/fhir/Patient/1"},
        ),
    ],
)
def test_people_told_apart_by_identifier_display_or_server_are_never_mixed(
    one: dict[str, Any], other: dict[str, Any]
) -> None:
    source = bundle_of(_about(FERRITIN, one), _about(TSAT, other))
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(source)


def test_a_bare_reference_picks_the_one_server_that_has_it() -> None:
    source = bundle_of(
        _about(FERRITIN, {"reference": "http://a.org/fhir/Patient/1"}),
        _about(TSAT, {"reference": "http://b.org/fhir/Patient/2"}),
    )
    labs = fhir.read(source, patient="Patient/1")
    assert [r.analyte for r in labs.results] == ["ferritin"]


def test_a_result_about_no_one_is_not_added_to_someones_labs() -> None:
    source = bundle_of(_about(FERRITIN, {"reference": "Patient/1"}), _about(TSAT, None))
    for patient in (None, "Patient/1"):
        labs = fhir.read(source, patient=patient)
        assert [r.analyte for r in labs.results] == ["ferritin"]
        assert reasons(labs) == Counter({"no-subject": 1})
    # alone, a result about no one is read as it is
    assert fhir.read(_about(TSAT, None)).results


@pytest.mark.parametrize(
    "quantity", [{"value": 60}, {"value": 60, "unit": ["ng/mL"]}, {"value": 60, "unit": ""}]
)
def test_a_quantity_without_a_unit_is_skipped_not_guessed(quantity: dict[str, Any]) -> None:
    labs = fhir.read(observation("62292-8", quantity))
    assert not labs.results
    assert reasons(labs) == Counter({"unit-not-accepted": 1})


def test_a_report_with_contained_results_is_read() -> None:
    ferritin = observation("2276-4", {"value": 12, "unit": "ng/mL"}, id="f")
    tsat = observation("2502-3", {"value": 9, "unit": "%"}, id="t")
    panel = {
        "resourceType": "Observation",
        "id": "panel",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "50190-5"}]},
        "hasMember": [{"reference": "#t"}],
    }
    for obs in (ferritin, tsat):
        obs.pop("subject")
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r",
        "status": "final",
        "subject": {"reference": "Patient/p"},
        "effectiveDateTime": "2024-05-01",
        "contained": [ferritin, tsat, panel],
        "result": [{"reference": "#f"}, {"reference": "#panel"}, {"reference": "#missing"}],
    }
    labs = fhir.read(report)
    assert labs.subject == "Patient/p"
    assert {r.analyte: (r.value, r.when) for r in labs.results} == {
        "ferritin": (12, "2024-05-01"),
        "tsat": (9, "2024-05-01"),
    }
    assert Counter(s.reason_code for s in labs.skipped)["unresolved-reference"] == 1


def test_loinc_coded_by_its_oid_is_read() -> None:
    obs = observation("2276-4", {"value": 45, "unit": "ng/mL"})
    obs["code"]["coding"][0]["system"] = "urn:oid:2.16.840.1.113883.6.1"
    assert [r.analyte for r in fhir.read(obs).results] == ["ferritin"]


def test_read_never_changes_its_input() -> None:
    for path in ALL_FILES:
        doc = json.loads(path.read_text("utf-8"))
        before = copy.deepcopy(doc)
        try:
            fhir.read(doc)
        except fhir.FhirError:
            fhir.read(doc, patient="Patient/1")
        assert doc == before, path
