"""FHIR context and medicines: what the record says about the person reaches the assessment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition import fhir

LOINC = "http://loinc.org"
SCT = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ME = {"reference": "Patient/1"}
SOMEONE_ELSE = {"reference": "Patient/2"}


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display is not None:
        coding["display"] = display
    return {"coding": [coding]}


def ferritin(
    value: float = 40, when: str = "2024-06-01", subject: dict[str, Any] = ME
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": concept(LOINC, "2276-4"),
        "subject": subject,
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": "ng/mL"},
    }


def patient(**fields: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": "1", **fields}


def pregnancy(value: dict[str, Any], when: str = "2024-05-01", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": concept(LOINC, "82810-3"),
        "subject": ME,
        "effectiveDateTime": when,
        "valueCodeableConcept": value,
        **extra,
    }


def condition(code: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "subject": ME,
        "clinicalStatus": concept(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"
        ),
        "code": code,
        **extra,
    }


def statement(
    medication: dict[str, Any], status: str = "active", subject: dict[str, Any] = ME, **extra: Any
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "status": status,
        "subject": subject,
        "medicationCodeableConcept": medication,
        **extra,
    }


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def test_sex_and_age_at_the_newest_result_come_from_the_patient() -> None:
    labs = fhir.read(
        bundle(
            patient(gender="female", birthDate="1990-06-02"),
            ferritin(when="2020-01-01"),
            ferritin(when="2024-06-01"),
        )
    )
    assert labs.context == rn.Context(sex="female", age=33)  # the day before her 34th birthday
    labs = fhir.read(
        bundle(patient(gender="female", birthDate="1990-06-01"), ferritin(when="2024-06-01"))
    )
    assert labs.context is not None and labs.context.age == 34


@pytest.mark.parametrize(
    ("birth", "age"),
    [("1990", None), ("1990-01", 34), ("1990-06", None), ("1990-07", 33), ("not a date", None)],
)
def test_a_partial_birth_date_gives_an_age_only_when_it_is_certain(
    birth: str, age: int | None
) -> None:
    labs = fhir.read(bundle(patient(birthDate=birth), ferritin(when="2024-06-15")))
    assert labs.context is not None
    assert labs.context.age == age


def test_a_record_that_says_nothing_about_the_person_gives_no_context() -> None:
    labs = fhir.read(bundle(patient(gender="unknown"), ferritin()))
    assert labs.context is None
    assert fhir.read(ferritin()).context is None


def test_a_child_is_judged_as_a_child_from_the_record() -> None:
    labs = fhir.read(
        bundle(patient(gender="male", birthDate="2015-03-01"), ferritin(when="2024-06-01"))
    )
    assert labs.context == rn.Context(sex="male", age=9)
    codes = [w.code for w in rn.assess(labs).warnings]
    assert codes == [w.code for w in rn.assess(labs.results, context=labs.context).warnings]


@pytest.mark.parametrize(
    ("value", "pregnant"),
    [
        (concept(LOINC, "LA15173-0", "Pregnant"), True),
        (concept(SCT, "77386006", "Pregnant"), True),
        (concept(LOINC, "LA26683-5", "Not pregnant"), False),
        (concept(SCT, "60001007"), False),
        (concept(LOINC, "LA4489-6", "Unknown"), False),
    ],
)
def test_pregnancy_status_observations(value: dict[str, Any], pregnant: bool) -> None:
    labs = fhir.read(bundle(patient(gender="female"), pregnancy(value), ferritin()))
    assert labs.context is not None and labs.context.pregnant is pregnant
    # the pregnancy status is not a lab result
    assert [r.analyte for r in labs.results] == ["ferritin"]


def test_the_newest_pregnancy_status_counts_and_a_conflict_is_not_a_pregnancy() -> None:
    yes, no = concept(LOINC, "LA15173-0"), concept(LOINC, "LA26683-5")
    newer_no = fhir.read(
        bundle(pregnancy(yes, "2023-01-01"), pregnancy(no, "2024-01-01"), ferritin())
    )
    assert newer_no.context is not None and not newer_no.context.pregnant
    newer_yes = fhir.read(
        bundle(pregnancy(no, "2023-01-01"), pregnancy(yes, "2024-01-01"), ferritin())
    )
    assert newer_yes.context is not None and newer_yes.context.pregnant
    both = fhir.read(bundle(pregnancy(no, "2024-01-01"), pregnancy(yes, "2024-01-01"), ferritin()))
    assert both.context is not None and not both.context.pregnant
    assert any("pregnancy" in n for n in both.notes)
    # a status that is not final, or about someone else, says nothing
    draft = fhir.read(bundle(pregnancy(yes, status="preliminary"), ferritin()))
    assert draft.context is None
    other = pregnancy(yes)
    other["subject"] = SOMEONE_ELSE
    with pytest.raises(fhir.FhirError):  # and makes the source about two people
        fhir.read(bundle(other, ferritin()))


def test_a_record_of_a_pregnant_male_leaves_sex_unknown_with_a_note() -> None:
    labs = fhir.read(
        bundle(patient(gender="male"), pregnancy(concept(SCT, "77386006")), ferritin())
    )
    assert labs.context == rn.Context(sex=None, pregnant=True)
    warnings = rn.assess(labs).warnings
    assert any(w.code == "fhir-note" and "sex is left unknown" in w.text for w in warnings)


@pytest.mark.parametrize(
    ("code", "kidney", "dialysis"),
    [
        (concept(SCT, "709044004"), True, False),
        (concept(SCT, "433144002"), True, False),
        (concept(SCT, "714152005"), True, True),
        (concept(ICD10CM, "N18.4"), True, False),
        (concept(ICD10CM, "N184"), True, False),  # written without the dot
        (concept(ICD10CM, "N18.6"), True, False),
        (concept(ICD10CM, "Z99.2"), True, True),
        (concept(ICD10, "N18.5"), True, False),
        (concept(SCT, "38341003"), False, False),  # high blood pressure: not kidney disease
    ],
)
def test_kidney_disease_and_dialysis_from_conditions(
    code: dict[str, Any], kidney: bool, dialysis: bool
) -> None:
    labs = fhir.read(bundle(condition(code), ferritin()))
    if not kidney:
        assert labs.context is None
        return
    assert labs.context is not None
    assert (labs.context.kidney_disease, labs.context.dialysis) == (True, dialysis)


def test_a_ckd_stage_given_as_the_conditions_stage_counts() -> None:
    ckd = condition(
        concept(SCT, "90708001", "Kidney disease"), stage=[{"summary": concept(SCT, "431857002")}]
    )
    labs = fhir.read(bundle(ckd, ferritin()))
    assert labs.context is not None and labs.context.kidney_disease


@pytest.mark.parametrize(
    "status",
    [
        {
            "verificationStatus": concept(
                "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted"
            )
        },
        {
            "verificationStatus": concept(
                "http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error"
            )
        },
        {
            "clinicalStatus": concept(
                "http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved"
            )
        },
        {"abatementDateTime": "2020-01-01"},
        {"verificationStatus": "refuted"},  # STU3
    ],
)
def test_refuted_or_resolved_conditions_say_nothing(status: dict[str, Any]) -> None:
    labs = fhir.read(bundle(condition(concept(ICD10CM, "Z99.2"), **status), ferritin()))
    assert labs.context is None


def test_assess_judges_in_the_records_context_unless_given_one() -> None:
    source = bundle(patient(gender="female"), condition(concept(ICD10CM, "Z99.2")), ferritin(150), {
        "resourceType": "Observation", "status": "final", "code": concept(LOINC, "2502-3"),
        "subject": ME, "effectiveDateTime": "2024-06-01", "valueQuantity": {"value": 18, "unit": "%"},
    })  # fmt: skip
    labs = fhir.read(source)
    dialysis = rn.Context(sex="female", kidney_disease=True, dialysis=True)
    assert labs.context == dialysis
    from_record = rn.assess(labs)
    assert from_record.findings == rn.assess(labs.results, context=dialysis).findings
    given = rn.assess(labs, context=rn.Context(sex="female"))
    assert given.finding("iron") == rn.assess(
        labs.results, context=rn.Context(sex="female")
    ).finding("iron")
    assert given.finding("iron") != from_record.finding("iron")  # ESRD criteria differ
    assert from_record.subject == given.subject == "Patient/1"


# --- medicines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("medication", "factor"),
    [
        (concept(RXNORM, "36437", "sertraline 50 MG Oral Tablet"), "serotonergic_antidepressants"),
        (concept(ATC, "N06AB06"), "serotonergic_antidepressants"),
        (concept(ATC, "N06AB07"), "serotonergic_antidepressants"),  # any SSRI, by its group
        (concept(ATC, "N06AA09"), "serotonergic_antidepressants"),
        (concept(ATC, "N06AX16"), "serotonergic_antidepressants"),  # venlafaxine
        (concept(ATC, "N05AH04"), "antipsychotics"),  # quetiapine, by the group
        (concept(RXNORM, "5093"), "antipsychotics"),
        (concept(ATC, "R06AA02"), "sedating_antihistamines"),
        (concept(RXNORM, "3498"), "sedating_antihistamines"),
        (concept(ATC, "N05BB01"), "sedating_antihistamines"),  # hydroxyzine
        (concept(ATC, "A03FA01"), "dopamine_antagonist_antiemetics"),
        (concept(ATC, "N05AB04"), "dopamine_antagonist_antiemetics"),  # prochlorperazine
        (concept(ATC, "N06AX12"), None),  # bupropion
        (concept(RXNORM, "42347"), None),  # bupropion
        (concept(ATC, "N06AX62"), None),  # bupropion and dextromethorphan
        (concept(ATC, "N05AN01"), None),  # lithium: no dopamine blocker
        (concept(ATC, "R06AE07"), None),  # cetirizine: not sedating
        (concept(ATC, "N06AX05"), None),  # trazodone
        (concept(RXNORM, "6809"), None),  # metformin
    ],
)
def test_medicines_that_may_worsen_rls_are_matched_by_atc_and_rxnorm(
    medication: dict[str, Any], factor: str | None
) -> None:
    labs = fhir.read(bundle(statement(medication), ferritin()))
    assert [m.factor for m in labs.medicines] == ([factor] if factor else [])
    codes = [w.code for w in rn.assess(labs).warnings]
    assert codes.count("medication-may-worsen-rls") == (1 if factor else 0)


def test_bupropion_coded_also_by_another_code_is_still_not_matched() -> None:
    both = {
        "coding": [{"system": ATC, "code": "N06AX12"}, {"system": RXNORM, "code": "42347"}],
        "text": "Wellbutrin",
    }
    assert fhir.read(bundle(statement(both), ferritin())).medicines == ()


def test_the_warning_names_the_medicine() -> None:
    medication = {"coding": [{"system": RXNORM, "code": "36437"}], "text": "Zoloft 50 mg"}
    labs = fhir.read(bundle(statement(medication), ferritin()))
    (m,) = labs.medicines
    assert (m.name, m.factor, m.system, m.code, m.status) == (
        "Zoloft 50 mg",
        "serotonergic_antidepressants",
        RXNORM,
        "36437",
        "active",
    )
    (w,) = [w for w in rn.assess(labs).warnings if w.code == "medication-may-worsen-rls"]
    assert "Zoloft 50 mg" in w.text and "Serotonergic antidepressants" in w.text
    assert "prescriber" in w.text


def test_medication_requests_and_referenced_medications() -> None:
    medication = {
        "resourceType": "Medication",
        "id": "m",
        "code": concept(ATC, "R06AA09", "doxylamine"),
    }
    request = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": ME,
        "medicationReference": {"reference": "#m"},
        "contained": [medication],
    }
    labs = fhir.read(bundle(request, ferritin()))
    assert [(m.name, m.factor) for m in labs.medicines] == [
        ("doxylamine", "sedating_antihistamines")
    ]


@pytest.mark.parametrize(
    "status", ["completed", "stopped", "entered-in-error", "not-taken", "cancelled"]
)
def test_medicines_no_longer_taken_are_not_listed(status: str) -> None:
    labs = fhir.read(bundle(statement(concept(ATC, "N06AB06"), status=status), ferritin()))
    assert labs.medicines == ()


def test_an_stu3_statement_of_a_medicine_not_taken_is_not_listed() -> None:
    labs = fhir.read(bundle(statement(concept(ATC, "N06AB06"), taken="n"), ferritin()))
    assert labs.medicines == ()
    labs = fhir.read(bundle(statement(concept(ATC, "N06AB06"), taken="y"), ferritin()))
    assert len(labs.medicines) == 1


def test_another_persons_medicines_are_not_listed() -> None:
    source = bundle(statement(concept(ATC, "N06AB06"), subject=SOMEONE_ELSE), ferritin())
    assert fhir.read(source).medicines == ()


def test_notes_reach_the_assessments_warnings() -> None:
    smart = (
        Path(__file__).parent
        / "fixtures"
        / "fhir"
        / "smart-sample-patients-stu3"
        / "patient-8888803.fhir-bundle.01.trimmed.json"
    )
    labs = fhir.read(smart)
    assert labs.notes
    warnings = rn.assess(labs).warnings
    assert [w.text for w in warnings if w.code == "fhir-note"] == [
        f"From the FHIR record: {n}." for n in labs.notes
    ]
    assert labs.context is not None and labs.context.sex == "female"
    assert rn.assess(labs).subject == "Patient/smart-8888803"


# --- the codes are cited data ---------------------------------------------------------------


CODES = json.loads((Path(fhir.__file__).parent / "data" / "fhir_codes.json").read_text("utf-8"))


def test_every_code_is_cited_and_every_medicine_names_a_known_factor() -> None:
    context = [c for codes in CODES["context"].values() for c in codes]
    medicines, groups, not_worsening = (
        CODES["medicines"],
        CODES["medicine_groups"],
        CODES["not_worsening"],
    )
    assert all(e["references"] for e in (*context, *medicines, *groups, *not_worsening))
    factors = {f.id for f in rn.rls_factors("medicine")}
    assert {m["factor"] for m in medicines} == factors
    assert {g["factor"] for g in groups} <= factors
    assert "bupropion" in {m["ingredient"] for m in not_worsening}
    # no code means two things
    meaning: dict[tuple[str, str], set[str | None]] = {}
    for m in (*medicines, *not_worsening):
        meaning.setdefault((m["system"], m["code"]), set()).add(m["factor"])
    assert all(len(v) == 1 for v in meaning.values())


def test_every_reference_of_the_codes_file_is_defined_and_used() -> None:
    defined = {r["id"] for r in CODES["references"]}
    parts = ("medicines", "medicine_groups", "not_worsening")
    used = {ref for part in parts for e in CODES[part] for ref in e["references"]}
    used |= {ref for codes in CODES["context"].values() for e in codes for ref in e["references"]}
    assert used == defined


# --- the command line -----------------------------------------------------------------------


def _cli(*args: str) -> Any:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "rlsnutrition", "assess", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_cli_judges_in_the_records_context_unless_flags_are_given(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    source = bundle(
        patient(gender="female"),
        condition(concept(ICD10CM, "Z99.2")),
        statement({"coding": [{"system": RXNORM, "code": "36437"}], "text": "Zoloft 50 mg"}),
        ferritin(150),
    )
    path.write_text(json.dumps(source), "utf-8")
    from_record = _cli("--fhir", str(path))
    assert from_record["subject"] == "Patient/1"
    codes = [w["code"] for w in from_record["warnings"]]
    assert "medication-may-worsen-rls" in codes
    expected = rn.assess(fhir.read(path)).to_dict()
    assert from_record["findings"] == expected["findings"]
    # a flag overrides its own field only: the record's dialysis stays
    by_flags = _cli("--fhir", str(path), "--age", "70")
    record = fhir.read(path).context
    assert record is not None and record.dialysis
    expected = rn.assess(fhir.read(path), context=attrs.evolve(record, age=70)).to_dict()
    assert by_flags["findings"] == expected["findings"]
    assert _cli("--fhir", str(path), "--sex", "female")["findings"] == from_record["findings"]


def _iron_and_magnesium(out: Any) -> tuple[list[str], list[str]]:
    actions = {f["nutrient"]: [a["code"] for a in f["actions"]] for f in out["findings"]}
    return actions["iron"], actions["magnesium"]


MAGNESIUM = {
    **ferritin(),
    "code": concept(LOINC, "19123-9"),
    "valueQuantity": {"value": 1.0, "unit": "mg/dL"},
}
ESRD = condition(concept(SCT, "46177005"))


@given(flag=st.sampled_from([("--sex", "female"), ("--age", "50"), ("--pregnant",)]))
@settings(max_examples=3, deadline=None)
def test_a_context_flag_keeps_the_records_kidney_disease(flag: tuple[str, ...]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.json"
        source = bundle(
            patient(gender="female", birthDate="1990-06-15"), ESRD, ferritin(150), MAGNESIUM
        )
        path.write_text(json.dumps(source), "utf-8")
        _, magnesium = _iron_and_magnesium(_cli("--fhir", str(path), *flag))
        assert "magnesium-kidney-caution" in magnesium


def test_two_files_of_one_person_merge_their_contexts_field_by_field(tmp_path: Path) -> None:
    # a year apart, so the ages differ: the age at the newest result, and the kidney disease
    person = patient(gender="female", birthDate="1990-06-15")
    old, new = tmp_path / "2024.json", tmp_path / "2025.json"
    old.write_text(json.dumps(bundle(person, ESRD, ferritin(150, "2024-03-01"))), "utf-8")
    new.write_text(
        json.dumps(bundle(person, {**MAGNESIUM, "effectiveDateTime": "2025-08-01"})), "utf-8"
    )
    for order in ((old, new), (new, old)):
        args = [a for p in order for a in ("--fhir", str(p))]
        out = _cli(*args, "--patient", "Patient/1")
        _, magnesium = _iron_and_magnesium(out)
        assert "magnesium-kidney-caution" in magnesium
        notes = [w["text"] for w in out["warnings"] if w["code"] == "fhir-note"]
        assert any("age 35 is taken at the newest result" in n and str(new) in n for n in notes)


# --- any record: a context or None, never an error ---------------------------------------------


TEXT = st.text(max_size=12) | st.sampled_from(
    ["1990", "1990-02", "1990-02-30", "female", "male", "N18.4", "Z99.2", "77386006", "LA15173-0"]
)
ANY = (
    st.none()
    | st.integers()
    | st.booleans()
    | TEXT
    | st.lists(TEXT, max_size=2)
    | st.dictionaries(TEXT, TEXT, max_size=2)
)


@given(ANY, ANY, ANY, ANY, ANY)
def test_any_patient_condition_or_medication_gives_a_context_or_none(
    gender: Any, birth: Any, code: Any, status: Any, medication: Any
) -> None:
    source = bundle(
        patient(gender=gender, birthDate=birth),
        condition({"coding": [{"system": ICD10CM, "code": code}]}, clinicalStatus=status),
        pregnancy({"coding": [{"system": SCT, "code": code}]}, status=status),
        statement({"coding": [{"system": ATC, "code": code}], "text": medication}, status=status),
        ferritin(),
    )
    labs = fhir.read(source)
    assert labs.context is None or isinstance(labs.context, rn.Context)
    rn.assess(labs)


def test_an_assessment_of_a_record_round_trips_and_fits_the_schema() -> None:
    import jsonschema

    source = bundle(
        patient(gender="male", birthDate="1970-01-01"),
        statement(concept(ATC, "N06AB06", "sertraline")),
        {**ferritin(30), "status": "unknown"},
    )
    a = rn.assess(fhir.read(source))
    assert [w.code for w in a.warnings] == ["medication-may-worsen-rls", "fhir-note"]
    data = a.to_dict()
    jsonschema.validate(data, rn.assessment_json_schema())
    assert rn.Assessment.from_dict(data) == a
    assert data["subject"] == "Patient/1"


def test_the_codes_the_reader_matches_are_the_public_clinical_codes() -> None:
    codes = rn.clinical_codes()
    assert codes is rn.clinical_codes()  # read once
    assert [m.code for m in codes.medicines] == [m["code"] for m in CODES["medicines"]]
    assert [g.prefix for g in codes.medicine_groups] == [
        g["prefix"] for g in CODES["medicine_groups"]
    ]
    assert {c.code for c in codes.context.dialysis} == {
        c["code"] for c in CODES["context"]["dialysis"]
    }
    assert all(m.references and m.references[0].title for m in codes.medicines)
    assert {m.factor for m in codes.medicines} == {f.id for f in rn.rls_factors("medicine")}
    assert all(m.factor is None for m in codes.not_worsening)
    assert repr(codes).startswith("ClinicalCodes(medicines=")
    for cls in (rn.ClinicalCodes, rn.ContextCodes, rn.Coding, rn.MedicineCode, rn.MedicineGroup):
        assert cls.__module__ == "rlsnutrition"
    assert rn.clinical_codes.__module__ == "rlsnutrition"
