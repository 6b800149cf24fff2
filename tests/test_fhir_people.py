"""One person at a time: FHIR subjects are told apart the way FHIR resolves references.

Each test reproduces a way the reader once attributed one person's results to another
(issue 10, "Never mix people"), and pins the reading that refuses or keeps them apart.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition import fhir

FERRITIN = "2276-4"
TSAT = "2502-3"


def obs(
    code: str, value: float, unit: str, subject: dict[str, Any] | None, **extra: Any
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "valueQuantity": {"value": value, "unit": unit},
    }
    if subject is not None:
        resource["subject"] = subject
    resource.update(extra)
    return resource


def ferritin(subject: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    return obs(FERRITIN, 10, "ng/mL", subject, **extra)


def tsat(subject: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    return obs(TSAT, 50, "%", subject, **extra)


def patient(pid: str, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, **extra}


def bundle(*entries: tuple[str | None, dict[str, Any]]) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    for full_url, resource in entries:
        entry: dict[str, Any] = {"resource": resource}
        if full_url is not None:
            entry["fullUrl"] = full_url
        out.append(entry)
    return {"resourceType": "Bundle", "type": "collection", "entry": out}


def ref(reference: str) -> dict[str, Any]:
    return {"reference": reference}


def analytes(labs: fhir.FhirLabs) -> list[str]:
    return [r.analyte for r in labs.results]


def test_the_same_patient_id_on_two_servers_is_two_people() -> None:
    source = bundle(
        ("http://a.org/fhir/Patient/1", patient("1")),
        ("http://b.org/fhir/Patient/1", patient("1")),
        ("http://a.org/fhir/Observation/f", ferritin(ref("http://a.org/fhir/Patient/1"))),
        ("http://b.org/fhir/Observation/t", tsat(ref("http://b.org/fhir/Patient/1"))),
    )
    with pytest.raises(fhir.FhirError, match="2 subjects") as info:
        fhir.read(source)
    assert "http://a.org/fhir/Patient/1" in str(info.value)
    assert "http://b.org/fhir/Patient/1" in str(info.value)
    # "Patient/1" names both: refused, never a pick
    with pytest.raises(fhir.FhirError, match="matches 2 subjects"):
        fhir.read(source, patient="Patient/1")
    a = fhir.read(source, patient="http://a.org/fhir/Patient/1")
    assert analytes(a) == ["ferritin"]
    assert a.subject == "http://a.org/fhir/Patient/1"


def test_relative_references_resolve_against_their_own_entrys_server() -> None:
    source = bundle(
        ("http://a.org/fhir/Observation/f", ferritin(ref("Patient/1"))),
        ("http://b.org/fhir/Observation/t", tsat(ref("Patient/1"))),
    )
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(source)
    b = fhir.read(source, patient="http://b.org/fhir/Patient/1")
    assert analytes(b) == ["tsat"]


def test_two_urn_uuid_patients_sharing_an_id_are_two_people() -> None:
    a, b = (
        "urn:uuid:0f6e7a52-0000-4000-8000-00000000000a",
        "urn:uuid:0f6e7a52-0000-4000-8000-00000000000b",
    )
    source = bundle(
        (a, patient("1")),
        (b, patient("1")),
        ("urn:uuid:0f6e7a52-0000-4000-8000-0000000000f1", ferritin(ref(a))),
        ("urn:uuid:0f6e7a52-0000-4000-8000-0000000000f2", tsat(ref(b))),
    )
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(source)
    assert analytes(fhir.read(source, patient=a)) == ["ferritin"]


def test_contained_patients_belong_to_their_own_container() -> None:
    source = bundle(
        (None, ferritin(ref("#p"), id="f", contained=[patient("p", gender="female")])),
        (None, tsat(ref("#p"), id="t", contained=[patient("p", gender="male")])),
    )
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(source)
    # the same, when the two containers have no id either
    source = bundle(
        (None, ferritin(ref("#p"), contained=[patient("p")])),
        (None, tsat(ref("#p"), contained=[patient("p")])),
    )
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(source)


def test_a_report_resolves_its_results_on_its_own_server() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "subject": ref("Patient/1"),
        "effectiveDateTime": "2024-05-01",
        "result": [ref("Observation/1")],
    }
    source = bundle(
        ("http://a.org/fhir/Observation/1", ferritin(None, id="1")),
        ("http://b.org/fhir/Observation/1", tsat(None, id="1")),
        ("http://b.org/fhir/DiagnosticReport/r", report),
    )
    labs = fhir.read(source)
    assert analytes(labs) == ["tsat"]  # b.org's Observation/1, not the first entry's
    assert labs.subject == "http://b.org/fhir/Patient/1"
    assert labs.results[0].when == "2024-05-01"


def test_versioned_references_name_the_resource() -> None:
    source = bundle(
        ("http://a.org/fhir/Patient/1", patient("1", gender="female")),
        ("http://a.org/fhir/Observation/f", ferritin(ref("Patient/1/_history/2"))),
        ("http://a.org/fhir/Observation/t", tsat(ref("http://a.org/fhir/Patient/1/_history/3"))),
    )
    labs = fhir.read(source)
    assert labs.subject == "http://a.org/fhir/Patient/1"
    assert analytes(labs) == ["ferritin", "tsat"]


def test_subjects_named_only_by_display_text_are_never_merged() -> None:
    source = bundle((None, ferritin({"display": "Ann"})), (None, tsat({"display": "Ann"})))
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(source)
    # an identifier without a system is no better than a name
    no_system = {"identifier": {"value": "123"}}
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(bundle((None, ferritin(no_system)), (None, tsat(no_system))))
    # the same identifier in the same system is one person
    mrn = {"identifier": {"system": "urn:oid:1.2.3", "value": "123"}}
    assert analytes(fhir.read(bundle((None, ferritin(mrn)), (None, tsat(mrn))))) == [
        "ferritin",
        "tsat",
    ]
    # one resource named by display alone still reads
    assert analytes(fhir.read(ferritin({"display": "Ann"}))) == ["ferritin"]


def test_a_patient_argument_matches_only_that_subject_never_a_suffix() -> None:
    source = bundle(
        (None, ferritin({"identifier": {"system": "urn:x", "value": "ward/Patient/1"}})),
        (None, tsat(ref("Patient/2"))),
    )
    with pytest.raises(fhir.FhirError, match="no results for 'Patient/1'"):
        fhir.read(source, patient="Patient/1")
    assert analytes(fhir.read(source, patient="urn:x|ward/Patient/1")) == ["ferritin"]
    # nor does "Patient/1" name "Patient/11" or "OtherPatient/1"
    source = bundle((None, ferritin(ref("Patient/11"))), (None, tsat(ref("OtherPatient/1"))))
    with pytest.raises(fhir.FhirError, match="no results"):
        fhir.read(source, patient="Patient/1")


SERVERS = st.sampled_from(["http://a.org/fhir", "https://a.org/fhir", "http://b.org/r4"])


@given(server=SERVERS, absolute_first=st.booleans(), kind=st.sampled_from(["entry", "ref"]))
def test_a_relative_patient_argument_refuses_a_relative_and_an_absolute_match(
    server: str, absolute_first: bool, kind: str
) -> None:
    # Patient/1 with no server, and Patient 1 on a server: maybe two people, so "Patient/1"
    # picks neither, whichever comes first and however the server is named
    relative = (None, ferritin(ref("Patient/1")))
    if kind == "entry":  # a relative reference in an entry on the server
        absolute = (f"{server}/Observation/t", tsat(ref("Patient/1")))
    else:  # the server's full URL written out
        absolute = (None, tsat(ref(f"{server}/Patient/1")))
    source = bundle(*((absolute, relative) if absolute_first else (relative, absolute)))
    with pytest.raises(fhir.FhirError, match="matches 2 subjects") as caught:
        fhir.read(source, patient="Patient/1")
    assert f"(Patient/1, {server}/Patient/1)" in str(caught.value)
    # each is read when named in full (the relative one by itself has no fuller name)
    assert analytes(fhir.read(source, patient=f"{server}/Patient/1")) == ["tsat"]


def test_one_observation_listed_by_two_reports_is_not_attributed_by_order() -> None:
    def report(subject: str, when: str) -> dict[str, Any]:
        return {
            "resourceType": "DiagnosticReport",
            "status": "final",
            "subject": ref(subject),
            "effectiveDateTime": when,
            "result": [ref("Observation/shared")],
        }

    shared = (None, ferritin(None, id="shared"))
    for first, second in [("Patient/1", "Patient/2"), ("Patient/2", "Patient/1")]:
        source = bundle(
            (None, report(first, "2024-01-01")), (None, report(second, "2024-01-01")), shared
        )
        for who in ("Patient/1", "Patient/2"):
            labs = fhir.read(source, patient=who)
            assert labs.results == ()
            assert [s.reason_code for s in labs.skipped] == ["ambiguous-context"]
    # two reports about one person, at two dates: the date is not guessed either
    source = bundle(
        (None, report("Patient/1", "2024-01-01")), (None, report("Patient/1", "2024-02-01")), shared
    )
    labs = fhir.read(source)
    assert labs.results == ()
    assert [s.reason_code for s in labs.skipped] == ["ambiguous-context"]
    # the same report twice (same subject, same date) is one reading
    source = bundle(
        (None, report("Patient/1", "2024-01-01")), (None, report("Patient/1", "2024-01-01")), shared
    )
    assert analytes(fhir.read(source)) == ["ferritin"]


def test_three_reports_listing_one_result_are_read_alike_in_any_order() -> None:
    # Once only the first two reports listing a result were kept: a dated report about
    # Patient 1, an undated-subject report on the same date and a third at another date made
    # the date ambiguous or not depending on which came first.
    def report(rid: str, subject: str | None, when: str) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "DiagnosticReport",
            "id": rid,
            "status": "final",
            "effectiveDateTime": when,
            "result": [ref("Observation/shared")],
        }
        if subject is not None:
            resource["subject"] = ref(subject)
        return resource

    reports = [
        report("a", "Patient/1", "2024-01-01"),
        report("b", None, "2024-01-01"),
        report("c", "Patient/1", "2024-02-01"),
    ]
    shared = (None, ferritin(None, id="shared"))
    for order in itertools.permutations(reports):
        labs = fhir.read(bundle(*((None, r) for r in order), shared))
        assert labs.results == ()
        assert [s.reason_code for s in labs.skipped] == ["ambiguous-context"], order
        assert "2024-01-01, 2024-02-01" in labs.skipped[0].reason


def test_a_result_about_no_one_with_disputed_dates_is_reported_not_dropped() -> None:
    # In a source about Patient 1, a result naming no one, listed by two subject-less reports
    # at two dates, was once neither read nor listed among the skipped.
    def report(rid: str, when: str) -> dict[str, Any]:
        return {
            "resourceType": "DiagnosticReport",
            "id": rid,
            "status": "final",
            "effectiveDateTime": when,
            "result": [ref("Observation/loose")],
        }

    source = bundle(
        (None, report("a", "2024-01-01")),
        (None, report("b", "2024-02-01")),
        (None, ferritin(None, id="loose")),
        (None, tsat(ref("Patient/1"), id="t", effectiveDateTime="2024-01-01")),
    )
    labs = fhir.read(source)
    assert labs.subject == "Patient/1"
    assert analytes(labs) == ["tsat"]
    assert [(s.resource, s.reason_code) for s in labs.skipped] == [
        ("Observation/loose", "ambiguous-context")
    ]


def test_a_reference_that_is_not_a_type_and_id_names_no_entry_by_its_text() -> None:
    # "patient/1" (a lowercase type) is no RESTful reference: it must not find the entry
    # whose fullUrl happens to be server A's ".../patient/1" (the faster reader's look-up
    # once did, and gave server A's child to results from server B).
    def observation(url: str, code: str, value: float, unit: str) -> tuple[str, dict[str, Any]]:
        return url, obs(code, value, unit, ref("patient/1"), effectiveDateTime="2024-01-01")

    child = patient("1", gender="female", birthDate="2015-01-01")
    source = bundle(
        observation("http://a.org/fhir/Observation/o1", FERRITIN, 30, "ng/mL"),
        observation("http://a.org/fhir/Observation/o2", "718-7", 10, "g/dL"),
        ("http://a.org/fhir/patient/1", child),
    )
    labs = fhir.read(source)
    assert analytes(labs) == ["ferritin", "hemoglobin"] and labs.context is None
    assert labs.subject == "patient/1 (on http://a.org/fhir)"
    assert not fhir.subject_is_global(labs.subject)
    # Written on two servers, the same text is two subjects (it was once one, mixing them).
    source = bundle(
        observation("http://a.org/fhir/Observation/o1", FERRITIN, 30, "ng/mL"),
        observation("http://b.org/fhir/Observation/o2", "718-7", 10, "g/dL"),
        ("http://a.org/fhir/patient/1", child),
    )
    for patient_ in (None, "patient/1"):
        with pytest.raises(fhir.FhirError, match="2 subjects"):
            fhir.read(source, patient=patient_)
    report = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "subject": ref("Patient/1"),
        "result": [ref("observation/x")],
    }
    source = bundle(
        ("http://a.org/fhir/DiagnosticReport/r1", report),
        ("http://a.org/fhir/observation/x", ferritin(None)),
    )
    labs = fhir.read(source)
    assert labs.results == ()
    assert sorted(s.reason_code for s in labs.skipped) == ["no-subject", "unresolved-reference"]


def test_a_report_about_one_person_listing_a_result_about_another_is_not_read() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "subject": ref("Patient/1"),
        "result": [ref("Observation/f")],
    }
    source = bundle((None, report), (None, ferritin(ref("Patient/2"), id="f")))
    for who in ("Patient/1", "Patient/2"):
        labs = fhir.read(source, patient=who)
        assert labs.results == ()
        assert [s.reason_code for s in labs.skipped] == ["ambiguous-context"]


@pytest.mark.parametrize(
    "raw", [b'{"resourceType": "Observation", "subject": {"display": "J\xfcrgen"}}', b"\xff\xfe{}"]
)
def test_bytes_that_are_not_utf8_are_refused(raw: bytes) -> None:
    with pytest.raises(fhir.FhirError, match="UTF-8"):
        fhir.read(raw)


def test_bytes_in_utf8_are_read_exactly() -> None:
    one = json.dumps(ferritin({"display": "J\u00fcrgen"})).encode()
    assert analytes(fhir.read(one)) == ["ferritin"]
    assert analytes(fhir.read(b"\xef\xbb\xbf" + one)) == ["ferritin"]  # with a BOM


def test_stu3_related_has_member_is_followed_like_has_member() -> None:
    panel = {
        "resourceType": "Observation",
        "id": "panel",
        "status": "final",
        "subject": ref("Patient/1"),
        "effectiveDateTime": "2017-03-02",
        "code": {"coding": [{"system": "http://loinc.org", "code": "50190-5"}]},
        "related": [{"type": "has-member", "target": ref("Observation/f")}],
    }
    labs = fhir.read(bundle((None, panel), (None, ferritin(None, id="f"))))
    assert labs.subject == "Patient/1"
    assert [(r.analyte, r.when) for r in labs.results] == [("ferritin", "2017-03-02")]
    # other relations (derived-from, sequel-to) are not membership
    panel["related"][0]["type"] = "derived-from"
    labs = fhir.read(bundle((None, panel), (None, ferritin(None, id="f"))))
    assert labs.results == ()
    assert [x.reason_code for x in labs.skipped if x.code == FERRITIN] == ["no-subject"]


# --- the property: for any two subjects named any way FHIR can, results never cross ---------

SERVERS = ["http://a.org/fhir", "http://b.org/fhir", "https://a.org/fhir"]


@st.composite
def subject_forms(
    draw: st.DrawFn, tag: str
) -> tuple[list[tuple[str | None, dict[str, Any]]], dict[str, Any] | None, str | None]:
    """Entries that make one person's ferritin (or tsat), and the subject as written.

    Returns (extra entries, the result's subject element or None for contained, the fullUrl
    of the result's entry)."""
    form = draw(
        st.sampled_from(
            [
                "absolute",
                "relative",
                "urn",
                "contained",
                "identifier",
                "display",
                "versioned",
                "local",
            ]
        )
    )
    pid = draw(st.sampled_from(["1", "2"]))
    server = draw(st.sampled_from(SERVERS))
    n = draw(st.integers(0, 10**6))
    entries: list[tuple[str | None, dict[str, Any]]] = []
    if form == "absolute":
        entries.append((f"{server}/Patient/{pid}", patient(pid)))
        return entries, ref(f"{server}/Patient/{pid}"), f"{server}/Observation/{tag}{n}"
    if form in ("relative", "versioned"):
        suffix = "/_history/3" if form == "versioned" else ""
        return entries, ref(f"Patient/{pid}{suffix}"), f"{server}/Observation/{tag}{n}"
    if form == "urn":
        urn = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
        entries.append((urn, patient(pid)))
        return entries, ref(urn), f"urn:uuid:10000000-0000-4000-8000-{n:012d}"
    if form == "contained":
        return entries, None, None
    if form == "identifier":
        return entries, {"identifier": {"system": server, "value": pid}}, None
    if form == "display":
        return entries, {"display": f"Patient {pid}"}, None
    return entries, ref(f"Patient/{pid}"), None


@given(subject_forms("a"), subject_forms("b"))
def test_no_result_of_one_subject_is_ever_in_anothers_results(one: Any, two: Any) -> None:
    (extra1, subj1, url1), (extra2, subj2, url2) = one, two
    contained1 = {"contained": [patient("p")]} if subj1 is None else {}
    contained2 = {"contained": [patient("p")]} if subj2 is None else {}
    r1 = ferritin(subj1 or ref("#p"), id="one", **contained1)
    r2 = tsat(subj2 or ref("#p"), id="two", **contained2)
    source = bundle(*extra1, *extra2, (url1, r1), (url2, r2))
    try:
        labs = fhir.read(source)
    except fhir.FhirError as exc:
        assert "subjects" in str(exc)
        # refused as a whole: then each, asked for by name, holds only its own result
        for subject in _subjects_in(str(exc)):
            try:
                mine = fhir.read(source, patient=subject)
            except fhir.FhirError:
                continue
            assert len(mine.results) <= 1
        return
    # read as one person: only when both are written so that FHIR says they are the same one
    if len(labs.results) == 2:
        assert _same_person(subj1, url1, subj2, url2)


def _subjects_in(message: str) -> list[str]:
    inside = message[message.index("(") + 1 : message.index(")")]
    return [s.strip() for s in inside.split(", ")]


def _resolved(subject: dict[str, Any] | None, url: str | None) -> str | None:
    if subject is None:
        return None  # contained: never the same as another container's
    if "identifier" in subject:
        i = subject["identifier"]
        return f"{i['system']}|{i['value']}"
    if "display" in subject:
        return None
    reference = subject["reference"].split("/_history/")[0]
    if "://" in reference or reference.startswith("urn:"):
        return reference
    if url is not None and "://" in url:
        return url.rsplit("/", 2)[0] + "/" + reference
    return reference


def _same_person(s1: Any, u1: str | None, s2: Any, u2: str | None) -> bool:
    a, b = _resolved(s1, u1), _resolved(s2, u2)
    return a is not None and a == b


# --- the command line: files about different people are refused -------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rlsnutrition", *args], capture_output=True, text=True, timeout=60
    )


def test_cli_refuses_fhir_files_about_different_people(tmp_path: Path) -> None:
    alice, bob = tmp_path / "alice.json", tmp_path / "bob.json"
    alice.write_text(json.dumps(ferritin(ref("Patient/alice"))), "utf-8")
    bob.write_text(json.dumps(tsat(ref("Patient/bob"))), "utf-8")
    out = _cli("assess", "--fhir", str(alice), "--fhir", str(bob))
    assert out.returncode == 2, out.stdout
    assert "Patient/alice" in out.stderr and "Patient/bob" in out.stderr
    assert out.stdout == ""
    # a file about no one cannot be told apart from a file about someone
    nobody = tmp_path / "nobody.json"
    nobody.write_text(json.dumps(tsat(None)), "utf-8")
    out = _cli("assess", "--fhir", str(alice), "--fhir", str(nobody))
    assert out.returncode == 2
    # two files about one person, named by full URL, are read together
    server = "http://a.org/fhir/Patient/alice"
    alice1, alice2 = tmp_path / "alice1.json", tmp_path / "alice2.json"
    alice1.write_text(json.dumps(ferritin(ref(server))), "utf-8")
    alice2.write_text(json.dumps(tsat(ref(server))), "utf-8")
    out = _cli("assess", "--fhir", str(alice1), "--fhir", str(alice2), "--json")
    assert out.returncode == 0, out.stderr
    values = {v["analyte"] for f in json.loads(out.stdout)["findings"] for v in f["values"]}
    assert {"ferritin", "tsat"} <= values


def test_cli_refuses_two_files_naming_their_subject_only_relative_to_no_server(
    tmp_path: Path,
) -> None:
    # hospital A's export and app B's export both say Patient/1: two unknown servers' Patient 1
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(ferritin(ref("Patient/1"))), "utf-8")
    b.write_text(json.dumps(tsat(ref("Patient/1"))), "utf-8")
    out = _cli("assess", "--fhir", str(a), "--fhir", str(b))
    assert out.returncode == 2, out.stdout
    assert out.stdout == ""
    assert str(a) in out.stderr and str(b) in out.stderr and "Patient/1" in out.stderr
    assert "--patient" in out.stderr
    # --patient names the subject: the user asserts the files are about one person
    out = _cli("assess", "--fhir", str(a), "--fhir", str(b), "--patient", "Patient/1", "--json")
    assert out.returncode == 0, out.stderr
    values = {v["analyte"] for f in json.loads(out.stdout)["findings"] for v in f["values"]}
    assert {"ferritin", "tsat"} <= values
    # one file alone needs no assertion
    assert _cli("assess", "--fhir", str(a)).returncode == 0


@pytest.mark.parametrize(
    ("subject", "anywhere"),
    [
        ("http://a.org/fhir/Patient/1", True),
        ("urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0", True),
        ("urn:oid:1.2.36|123", True),
        ("Patient/1", False),
        ("a|b", False),
        ("'Jane', named only by text in Observation/o (entry 1)", False),
        ("Observation/a (entry 1)#p", False),
        ("http://a.org/fhir/Observation/a (entry 1)#p", False),
    ],
)
def test_which_subjects_name_one_person_whatever_the_source(subject: str, anywhere: bool) -> None:
    assert fhir.subject_is_global(subject) is anywhere


def test_every_result_read_is_about_the_subject_named() -> None:
    # the published multi-patient bundle: every patient's results are only that patient's
    path = Path(__file__).parent / "fixtures" / "fhir" / "hl7-fhir-r4-core-examples"
    source = json.loads(
        (path / "Bundle-72ac8493-52ac-41bd-8d5d-7258c289b5ea.json").read_text("utf-8")
    )
    for i in range(1, 11):
        labs = fhir.read(source, patient=f"Patient/{i}")
        assert labs.subject == f"https://example.com/base/Patient/{i}"
    assert rn.assess(fhir.read(source, patient="Patient/1")).findings


# --- Observation.focus: a result about someone or something other than its subject -----------

FOCI = st.sampled_from(
    [
        "Patient/donor",
        "Patient/2",
        "Patient/dad/_history/1",
        "http://b.org/fhir/Patient/mom",
        "#fetus",
        "Group/family",
        "urn:uuid:1",
    ]
) | st.from_regex(r"Patient/[a-z0-9]{1,8}", fullmatch=True).filter(lambda r: r != "Patient/mom")


@given(focus=FOCI, display=st.booleans())
def test_a_result_whose_focus_is_not_its_subject_is_never_judged(focus: str, display: bool) -> None:
    # R4 Observation.focus: the result is about the focus (a fetus, a donor, a relative)
    item: dict[str, Any] = {"display": "the donor"} if display else ref(focus)
    source = bundle(
        (None, obs(FERRITIN, 300, "ng/mL", ref("Patient/mom"), focus=[item])),
        (None, tsat(ref("Patient/mom"))),
    )
    labs = fhir.read(source)
    assert analytes(labs) == ["tsat"]
    (skip,) = [s for s in labs.skipped if s.code == FERRITIN]
    assert skip.reason_code == "focus-not-subject"


def test_a_focus_on_the_subject_itself_is_judged() -> None:
    for written in ("Patient/mom", "Patient/mom/_history/3"):
        source = bundle((None, ferritin(ref("Patient/mom"), focus=[ref(written)])))
        assert analytes(fhir.read(source)) == ["ferritin"]
    # on a server, the relative focus resolves against the entry's base like the subject
    source = bundle(
        (
            "http://a.org/fhir/Observation/1",
            ferritin(ref("http://a.org/fhir/Patient/mom"), focus=[ref("Patient/mom")]),
        ),
    )
    assert analytes(fhir.read(source)) == ["ferritin"]


# --- subject keys are tagged tuples: no two kinds of name can collide -------------------------

PIECE = st.text(alphabet="ab|:#/ .()1p", min_size=1, max_size=6)


@st.composite
def _two_names(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two subjects that a key of joined text would make one: identifiers split at another
    '|', a reference spelling an identifier, a reference spelling a contained name."""
    a, b, c = draw(PIECE), draw(PIECE), draw(PIECE)
    ident = lambda system, value: {"identifier": {"system": system, "value": value}}  # noqa: E731
    return draw(
        st.sampled_from(
            [
                (ident(a, f"{b}|{c}"), ident(f"{a}|{b}", c)),
                (ident(f"urn:{a}", b), ref(f"urn:{a}|{b}")),
                (ident(a, b), ref(f"{a}|{b}")),
                (ident(a, b), {"display": f"{a}|{b}"}),
            ]
        )
    )


@given(names=_two_names())
def test_names_that_read_alike_as_text_are_never_one_subject(
    names: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    one, two = names
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(bundle((None, ferritin(one)), (None, tsat(two))))


def test_a_reference_spelling_a_contained_name_is_not_that_contained_patient() -> None:
    held = tsat(ref("#p"), id="a", contained=[patient("p")])
    source = bundle((None, held), (None, ferritin(ref("Observation/a (entry 1)#p"))))
    with pytest.raises(fhir.FhirError, match="2 subjects"):
        fhir.read(source)


def test_names_that_read_alike_are_told_apart_in_the_message() -> None:
    ident = {"identifier": {"system": "a", "value": "b|c"}}
    other = {"identifier": {"system": "a|b", "value": "c"}}
    with pytest.raises(fhir.FhirError) as caught:
        fhir.read(bundle((None, ferritin(ident)), (None, tsat(other))))
    assert "a|b|c (identifier 'a', 'b|c')" in str(caught.value)
    assert "a|b|c (identifier 'a|b', 'c')" in str(caught.value)
