"""The faster FHIR reader (issue 12) reads every source as the reader before it did: the same
FhirLabs (results, skips with their reasons, subject, notes, context, medicines) or the same
FhirError, on drawn Bundles of several people, servers, reports, panels, contained resources
and versions (``fhir_reference`` is the reader as it was, rlsnutrition 4a9b38b); and a dict's
size, counted fast, is held to the limit as the walk of issue 10 holds it."""

from __future__ import annotations

import json
import re
import string
import tracemalloc
import types
from collections import UserDict
from typing import Any

import fhir_reference as reference
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fhir import FHIRISH, JSONISH, bundle_of

from rlsnutrition import fhir
from rlsnutrition._fhir_refs import split
from rlsnutrition._fhir_source import _larger_than, _surely_within

SERVERS = ["http://a.org/fhir", "http://b.org/fhir", "https://example.com/base"]
FULL_URLS = st.sampled_from(
    [
        *(f"{s}/Observation/{i}" for s in SERVERS[:2] for i in ("1", "2", "o-3")),
        *(f"{s}/Patient/1" for s in SERVERS),
        "http://a.org/fhir/Observation/1/_history/2",
        "urn:uuid:1",
        "urn:uuid:2",
        "Observation/1",
        "Observation/2",
        "Patient/1",
        "http://a.org/fhir/DiagnosticReport/r",
        "not a url",
    ]
)
REFS = st.sampled_from(
    [
        "Observation/1",
        "Observation/2",
        "Observation/o-3",
        "http://a.org/fhir/Observation/1",
        "http://b.org/fhir/Observation/2",
        "Observation/1/_history/2",
        "urn:uuid:1",
        "urn:uuid:2",
        "#c1",
        "#c2",
        "x/Observation/1",
        "Observation",
        "",
    ]
)
SUBJECTS = st.just({"reference": "Patient/1"}) | st.sampled_from(
    [
        {"reference": "Patient/1"},
        {"reference": "Patient/2"},
        {"reference": "http://a.org/fhir/Patient/1"},
        {"reference": "http://b.org/fhir/Patient/1"},
        {"reference": "urn:uuid:p1"},
        {"reference": "#p"},
        {"reference": "Patient/1/_history/3"},
        {"identifier": {"system": "urn:oid:1.2", "value": "1"}},
        {"identifier": {"value": "1"}},
        {"display": "Ann"},
        {},
    ]
)
WHENS = st.sampled_from([None, "2024-01-01", "2024-01", "2024-01-01T09:00:00+10:00", "2023"])
CODES = st.sampled_from(["2276-4", "2502-3", "718-7", "1234-5"])
_UNITS = {"2276-4": "ng/mL", "2502-3": "%", "718-7": "g/dL", "1234-5": "mg"}
VALUES = st.sampled_from(
    [
        {"valueString": "<5 ng/mL"},
        {"valueQuantity": {"value": 5}},
        {"dataAbsentReason": {"text": "lost"}},
        {},
    ]
)


@st.composite
def coded_values(draw: st.DrawFn) -> dict[str, Any]:
    """A LOINC code and, mostly, a value in a unit its analyte accepts."""
    code = draw(CODES)
    value: dict[str, Any] = draw(VALUES)
    if draw(st.integers(0, 3)):
        number = draw(st.sampled_from([12, 30, 13.5, 40]))
        value = {"valueQuantity": {"value": number, "unit": _UNITS[code]}}
    return {"code": {"coding": [{"system": "http://loinc.org", "code": code}]}, **value}


def _put(resource: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        resource[key] = value


@st.composite
def observations(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": draw(st.sampled_from(["final", "final", "amended", "preliminary", "unknown"])),
        **draw(coded_values()),
    }
    _put(obs, "id", draw(st.sampled_from([None, "1", "2", "o-3", "c1"])))
    _put(obs, "subject", draw(st.none() | SUBJECTS))
    _put(obs, "effectiveDateTime", draw(WHENS))
    if draw(st.booleans()):
        obs["hasMember"] = [{"reference": r} for r in draw(st.lists(REFS, max_size=3))]
    if draw(st.integers(0, 5)) == 0:
        obs["related"] = [{"type": "has-member", "target": {"reference": draw(REFS)}}]
    if draw(st.integers(0, 4)) == 0:
        obs["focus"] = [{"reference": draw(st.sampled_from(["Patient/1", "Patient/9", "#p"]))}]
    if draw(st.integers(0, 4)) == 0:
        obs["meta"] = {"versionId": draw(st.sampled_from(["1", "2", "x"]))}
    if depth == 0 and draw(st.integers(0, 3)) == 0:
        obs["contained"] = draw(st.lists(contained(), max_size=3))
    if draw(st.integers(0, 5)) == 0:
        obs["component"] = draw(st.lists(coded_values(), max_size=2))
    return obs


@st.composite
def contained(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["Observation", "Patient"]))
    inner = draw(observations(depth=1)) if kind == "Observation" else {"resourceType": "Patient"}
    inner["id"] = draw(st.sampled_from(["c1", "c2", "p"]))
    return inner


@st.composite
def reports(draw: st.DrawFn) -> dict[str, Any]:
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "result": [{"reference": r} for r in draw(st.lists(REFS, max_size=4))],
    }
    _put(report, "subject", draw(st.none() | SUBJECTS))
    _put(report, "effectiveDateTime", draw(WHENS))
    _put(report, "id", draw(st.sampled_from([None, "r"])))
    if draw(st.booleans()):
        report["contained"] = draw(st.lists(contained(), max_size=3))
    return report


@st.composite
def others(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["Patient", "Condition", "MedicationStatement", "Observation"]))
    resource: dict[str, Any] = {"resourceType": kind, "id": draw(st.sampled_from(["1", "2"]))}
    if kind == "Patient":
        resource["gender"] = draw(st.sampled_from(["female", "male"]))
        resource["birthDate"] = "1980-05-01"
    elif kind == "Condition":
        resource["subject"] = draw(SUBJECTS)
        code = draw(st.sampled_from(["46177005", "714152005", "77386006"]))
        resource["code"] = {"coding": [{"system": "http://snomed.info/sct", "code": code}]}
    elif kind == "Observation":  # pregnancy status
        resource["subject"] = draw(SUBJECTS)
        resource["status"] = "final"
        resource["code"] = {"coding": [{"system": "http://loinc.org", "code": "82810-3"}]}
        answer = draw(st.sampled_from(["LA15173-0", "LA26683-5"]))
        resource["valueCodeableConcept"] = {
            "coding": [{"system": "http://loinc.org", "code": answer}]
        }
        _put(resource, "effectiveDateTime", draw(WHENS))
    else:
        resource["subject"] = draw(SUBJECTS)
        resource["status"] = "active"
        concept = {"coding": [{"system": "http://www.whocc.no/atc", "code": "N06AB06"}]}
        resource["medicationCodeableConcept"] = concept
    return resource


@st.composite
def entries(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    kinds = ["obs", "obs", "obs", "report", "other", "deleted"] + (["bundle"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    entry: dict[str, Any] = {}
    _put(entry, "fullUrl", draw(st.none() | FULL_URLS))
    if kind == "deleted":
        entry["request"] = {"method": "DELETE", "url": draw(st.sampled_from(["Observation/1"]))}
        return entry
    if kind == "bundle":
        entry["resource"] = draw(bundles(depth + 1))
    else:
        entry["resource"] = draw(
            {"obs": observations(), "report": reports(), "other": others()}[kind]
        )
    return entry


@st.composite
def bundles(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": draw(st.sampled_from(["collection", "history", "searchset"])),
        "entry": draw(st.lists(entries(depth), max_size=8)),
    }
    return bundle


PATIENTS = st.none() | st.sampled_from(
    [None, "Patient/1", "http://a.org/fhir/Patient/1", "urn:uuid:p1", "urn:oid:1.2|1", "Patient/2"]
)


def _outcome(reader: type, doc: dict[str, Any], patient: str | None) -> object:
    k = (reference.knowledge(),) if reader is reference._Reader else ()
    try:
        return reader(doc, "the FHIR source", *k).read(patient)
    except fhir.FhirError as exc:
        return ("FhirError", str(exc))


@settings(max_examples=400)
@given(bundles(), PATIENTS)
def test_the_faster_reader_reads_drawn_bundles_as_the_reader_before_it(
    doc: dict[str, Any], patient: str | None
) -> None:
    expected = _outcome(reference._Reader, doc, patient)
    assert _outcome(fhir._Reader, doc, patient) == expected
    if not isinstance(expected, tuple):  # the same with every entry as a resource of its own
        assert fhir.read(doc, patient=patient) == expected


@given(st.one_of(JSONISH, FHIRISH), PATIENTS)
def test_the_faster_reader_reads_any_json_as_the_reader_before_it(
    doc: Any, patient: str | None
) -> None:
    for candidate in (doc, {"resourceType": "Bundle", "entry": doc}, bundle_of(doc)):
        if isinstance(candidate, dict):
            old = _outcome(reference._Reader, candidate, patient)
            assert _outcome(fhir._Reader, candidate, patient) == old


_PARTS = st.sampled_from(
    ["", "/", "//", ".", "Patient", "Observation", "_history", "1", "o-3", "a.b", "x y", "é",
     "http:", "http://a.org", "urn:uuid:1", "fhir", "p" * 65, "P", "9", "Pa9", "-", "\n"]
)  # fmt: skip


@given(st.lists(_PARTS, max_size=8).map("/".join) | st.text(string.printable, max_size=30))
def test_split_tells_types_and_ids_as_the_regular_expressions_do(ref: str) -> None:
    assert split(ref) == reference.split(ref)


def test_the_reference_is_the_reader_before_issue_12() -> None:
    # a guard that the reference still parses as it did (its regular expressions)
    assert reference._TYPE.pattern == re.compile(r"[A-Z][A-Za-z]{1,63}\Z").pattern
    doc = json.loads(json.dumps(bundle_of({"resourceType": "Observation"})))
    assert _outcome(reference._Reader, doc, None) == _outcome(fhir._Reader, doc, None)


def test_a_result_about_no_one_dated_two_ways_by_its_reports_is_read_as_before() -> None:
    # Listed by two reports about no one that disagree on when, in a source about Patient 1:
    # ambiguous and about no one, which the reader before reported for no one either.
    obs = {
        "resourceType": "Observation",
        "id": "1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
        "valueQuantity": {"value": 12, "unit": "ng/mL"},
    }
    about = {**obs, "id": "2", "subject": {"reference": "Patient/1"}}
    listing = [
        {"resourceType": "DiagnosticReport", "effectiveDateTime": when, "result": [ref]}
        for when, ref in (
            ("2024-01-01", {"reference": "Observation/1"}),
            ("2024-02-01", {"reference": "Observation/1"}),
        )
    ]
    for patient in (None, "Patient/1"):
        doc = bundle_of(obs, about, *listing)
        expected = _outcome(reference._Reader, doc, patient)
        assert _outcome(fhir._Reader, doc, patient) == expected
    doc = bundle_of(obs, *listing)  # about no one at all: ambiguous, and said so
    (skip,) = fhir.read(doc).skipped
    assert skip.reason_code == "ambiguous-context"


# The size of a dict source (issue 10's limit, held like text's): the fast count may say "at
# most the limit" only when the walk it stands for says so, and says it for plain JSON.
PLAIN_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=40,
)


class Text(str):
    def __len__(self) -> int:  # a str that lies about its length
        return 1


def _size(doc: Any) -> int:
    """The estimate `_larger_than` makes: the least limit it does not refuse."""
    low, high = 0, 1 << 24
    while low < high:
        mid = (low + high) // 2
        low, high = (mid + 1, high) if _larger_than(doc, mid) else (low, mid)
    return low


@given(st.dictionaries(st.text(max_size=6), PLAIN_JSON, max_size=5))
def test_the_fast_size_of_plain_json_is_the_walk_s_to_the_byte(doc: dict[str, Any]) -> None:
    for parsed in (doc, json.loads(json.dumps(doc))):
        size = _size(parsed)
        assert _surely_within(parsed, size)
        assert not _surely_within(parsed, size - 1)


ODD = st.sampled_from(
    [(), (1, "a"), Text("abc"), b"xy", 3 + 4j, {1: "a"}, {("t",): 1}, {Text("key"): 1},
     {b"k": 1}, {"a": 1, 2: 3}, UserDict(a=1)]
)  # fmt: skip
ODD_JSON = st.recursive(
    PLAIN_JSON
    | ODD
    | st.builds(
        types.MappingProxyType, st.dictionaries(st.text(max_size=3), PLAIN_JSON, max_size=2)
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
    ),
    max_leaves=30,
)


@given(st.dictionaries(st.text(max_size=6), ODD_JSON, max_size=5), st.data())
def test_the_fast_size_never_passes_what_the_walk_refuses(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    shared = data.draw(st.sampled_from([None, "twice", "cycle"]))
    if shared == "twice" and doc:  # one container in two places: counted once by the walk
        doc["again"] = next(iter(doc.values()))
    elif shared == "cycle":
        doc["self"] = [doc]
    size = _size(doc) if shared != "cycle" else 1000
    for limit in (0, size - 1, size, size + 1, size * 2):
        if _surely_within(doc, limit):
            assert not _larger_than(doc, limit)


def test_a_dict_source_near_its_limit_is_read_or_refused_as_before() -> None:
    # three Observations sharing their code and value dicts: counted once each by the walk,
    # three times by the fast count, which still serves a limit well above the source
    shared = bundle_of(*({**o, "id": str(i)} for i, o in enumerate([FERRITIN_OBS] * 3)))
    assert not _surely_within(shared, _size(shared)) and _surely_within(shared, 2 * _size(shared))
    doc = json.loads(json.dumps(shared))
    size = _size(doc)
    assert _surely_within(doc, size)  # the fast count serves a Bundle to the byte
    assert fhir.read(doc, max_bytes=size).results
    try:
        fhir.read(doc, max_bytes=size - 1)
    except fhir.FhirError as exc:
        assert f"larger than {size - 1} bytes" in str(exc)
    else:
        raise AssertionError("a dict over the limit was read")


def test_a_container_shared_many_times_over_is_measured_once_not_at_each_place() -> None:
    # A diamond 40 levels deep reaches one dict by 2**40 paths: the fast count, which reads a
    # shared container at each of its places, once read millions of copies of it (1 s and
    # 128 MB at the default limit, minutes with max_bytes=10**12); it now gives up after a
    # fixed number of items and the walk, which counts each container once, decides.
    tip: dict[str, object] = {"resourceType": "Observation"}
    x: dict[str, object] = tip
    for _ in range(40):
        x = {"a": x, "b": x}
    doc = {"resourceType": "Observation", "extension": x}
    assert not _surely_within(doc, 10**12)
    assert not _larger_than(doc, 10**12)
    tracemalloc.start()
    try:
        assert fhir.read(doc, max_bytes=10**12).results == ()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, peak  # the copies are never all listed at once


FERRITIN_OBS = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
    "valueQuantity": {"value": 45, "unit": "ng/mL"},
}


def test_the_fast_size_gives_up_on_a_key_that_is_not_exactly_text() -> None:
    # Such a dict is counted by the walk, whatever this Python's collector reports of it.
    for key in (Text("key"), 1, b"k", ("t",)):
        doc = {"resourceType": "Bundle", "entry": [{key: "v"}]}
        assert not _surely_within(doc, 1 << 20)
        assert not _larger_than(doc, 1 << 20)
    assert _surely_within({"resourceType": "Bundle", "entry": [{"key": "v"}]}, 1 << 20)
