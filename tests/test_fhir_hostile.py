"""Hostile FHIR input ends with a result or a typed error, without hanging or flooding memory."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition import fhir

OBS = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
    "valueQuantity": {"value": 45, "unit": "ng/mL"},
}


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_that_never_ends_is_refused_unread() -> None:
    with pytest.raises(fhir.FhirError, match="not a regular file"):
        fhir.read("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "labs.json"
    os.mkfifo(fifo)
    # no writer ever opens it: reading would block forever
    with pytest.raises(fhir.FhirError, match="not a regular file"):
        fhir.read(fifo)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(fhir.FhirError, match=str(tmp_path.name)):
        fhir.read(tmp_path)


def test_a_path_with_a_nul_is_a_fhir_error_not_a_bare_value_error() -> None:
    with pytest.raises(fhir.FhirError, match="cannot read"):
        fhir.read("labs\x00.json")


def test_files_larger_than_the_limit_are_refused_unless_the_limit_is_raised(tmp_path: Path) -> None:
    path = tmp_path / "obs.json"
    text = json.dumps(OBS)
    path.write_text(text, "utf-8")
    size = len(text.encode())
    with pytest.raises(fhir.FhirError, match=f"larger than {size - 1} bytes.*max_bytes="):
        fhir.read(path, max_bytes=size - 1)
    assert fhir.read(path, max_bytes=size).results
    assert fhir.MAX_BYTES == 64 * 1024 * 1024
    assert fhir.read(path).results  # the default limit is far above a real record
    with pytest.raises(TypeError, match="max_bytes"):
        fhir.read(path, max_bytes="big")  # type: ignore[arg-type]


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(
        json.dumps({**OBS, "subject": {"display": "J\u00fcrgen"}}, ensure_ascii=False).encode(
            "latin-1"
        )
    )
    with pytest.raises(fhir.FhirError, match="not UTF-8"):
        fhir.read(path)


def test_a_value_string_of_60_kb_of_spaces_is_skipped_not_chewed_on(tmp_path: Path) -> None:
    # once 40 s: the number pattern backtracked on long runs of spaces in a valueString
    obs = {**OBS, "valueString": " " * 60_000 + "x"}
    del obs["valueQuantity"]
    path = tmp_path / "spaces.json"
    path.write_text(json.dumps(obs), "utf-8")
    labs = fhir.read(path)
    assert [s.reason_code for s in labs.skipped] == ["invalid-value"]


@given(st.text(max_size=300))
def test_any_text_gives_fhirlabs_or_fhir_error(text: str) -> None:
    for candidate in (text, "{" + text, '{"resourceType": "Bundle", "entry": [' + text + "]}"):
        try:
            labs = fhir.read(candidate)
        except fhir.FhirError as exc:
            assert str(exc)
        else:
            rn.assess(labs)


@given(st.binary(max_size=200))
def test_any_bytes_give_fhirlabs_or_fhir_error(data: bytes) -> None:
    try:
        labs = fhir.read(b'{"resourceType": "Observation", "x": "' + data + b'"}')
    except fhir.FhirError as exc:
        assert str(exc)
    else:
        assert isinstance(labs, fhir.FhirLabs)


def test_the_suggestions_for_codes_it_does_not_judge_are_not_computed() -> None:
    # an unknown LOINC code is skipped with its reason, and reading it does not go through the
    # "did you mean" search of analyte names (which once took 93 % of the time)
    import difflib

    calls = 0
    real = difflib.get_close_matches

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    difflib.get_close_matches = counting  # type: ignore[assignment]
    try:
        obs = {**OBS, "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]}}
        labs = fhir.read({"resourceType": "Bundle", "entry": [{"resource": obs}] * 50})
    finally:
        difflib.get_close_matches = real
    assert calls == 0
    assert {s.reason_code for s in labs.skipped} == {"unknown-code"}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
def test_the_cli_refuses_a_fifo_too(tmp_path: Path) -> None:
    import subprocess

    fifo = tmp_path / "labs.json"
    os.mkfifo(fifo)
    out = subprocess.run(
        [sys.executable, "-m", "rlsnutrition", "assess", "--fhir", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "not a regular file" in out.stderr


class _CountedList(list):  # type: ignore[type-arg]
    """A list that counts how often it is walked through."""

    walks = 0

    def __iter__(self) -> Any:
        type(self).walks += 1
        return super().__iter__()


def test_contained_references_are_resolved_without_rescanning_the_container() -> None:
    # A report converted from C-CDA holds every result contained and lists each as #cN: a
    # scan of `contained` per reference made it quadratic (4 MB took 327 s).
    n = 500
    contained = _CountedList(
        {**OBS, "id": f"c{i}", "valueQuantity": {"value": 45, "unit": "ng/mL"}} for i in range(n)
    )
    report = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "code": {"text": "labs"},
        "subject": {"reference": "Patient/1"},
        "contained": contained,
        "result": [{"reference": f"#c{i}"} for i in range(n)],
    }
    _CountedList.walks = 0
    labs = fhir.read(report)
    assert [r.analyte for r in labs.results] == ["ferritin"]
    assert len(labs.skipped) == n - 1  # the same value n times: one kept, the rest superseded
    assert _CountedList.walks <= 2  # indexed once, never once per reference


@given(
    birth=st.sampled_from(["9" * 20, "1990-" + "9" * 20, "1990-01-" + "9" * 20, "1990-13-45"])
    | st.text(max_size=30)
)
def test_an_unreadable_birth_date_leaves_the_age_unknown_and_the_labs_read(birth: str) -> None:
    source = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "1", "birthDate": birth}},
            {
                "resource": {
                    **OBS,
                    "subject": {"reference": "Patient/1"},
                    "effectiveDateTime": "2024-01-01",
                }
            },
        ],
    }
    labs = fhir.read(source)
    assert [r.analyte for r in labs.results] == ["ferritin"]
    if labs.context is not None and labs.context.age is not None:
        assert 0 <= labs.context.age <= 130
    if birth == "9" * 20:
        assert any("birthDate" in note for note in labs.notes)


@given(n=st.integers(min_value=11, max_value=3000))
def test_an_error_names_at_most_ten_subjects_and_counts_the_rest(n: int) -> None:
    # 100,000 display-only subjects once gave a message of 6.5 MB
    source = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {**OBS, "subject": {"display": f"P{i}"}}} for i in range(n)],
    }
    with pytest.raises(fhir.FhirError) as caught:
        fhir.read(source)
    message = str(caught.value)
    assert f"{n} subjects" in message and f"and {n - 10} more" in message
    assert message.count("named only by text") == 10


@given(
    when=st.integers()
    | st.floats()
    | st.dates()
    | st.datetimes()
    | st.binary(max_size=8)
    | st.lists(st.text(max_size=3), max_size=2)
)
def test_a_when_that_is_not_text_is_refused_not_read_as_undated(when: object) -> None:
    lab = rn.LabResult("ferritin", 45, when=when)  # type: ignore[arg-type]
    for labs in ([lab], {"ferritin": lab}):
        with pytest.raises(rn.InvalidLabValueError, match=r"when is .*expected an ISO 8601"):
            rn.assess(labs)
    with pytest.raises(rn.InvalidLabValueError, match="when is"):
        rn.latest([lab])


def test_a_negative_zero_is_read_as_zero() -> None:
    labs = fhir.read(json.dumps({**OBS, "valueQuantity": {"value": -0.0, "unit": "ng/mL"}}))
    (result,) = labs.results
    assert result.value == 0 and str(result.value) == "0.0"


@pytest.mark.parametrize("kind", ["text", "bytes", "dict"])
def test_text_bytes_and_dicts_are_held_to_the_size_limit_as_files_are(kind: str) -> None:
    big = {**OBS, "note": [{"text": "x" * 5000}]}
    source: object = {"text": json.dumps(big), "bytes": json.dumps(big).encode(), "dict": big}[kind]
    with pytest.raises(fhir.FhirError, match="larger than 4096 bytes; pass max_bytes="):
        fhir.read(source, max_bytes=4096)
    assert [r.analyte for r in fhir.read(source, max_bytes=20_000).results] == ["ferritin"]


def test_a_cyclic_dict_is_measured_without_looping() -> None:
    cyclic: dict[str, Any] = {"resourceType": "Bundle", "entry": []}
    cyclic["entry"].append({"resource": cyclic})
    with pytest.raises(fhir.FhirError):
        fhir.read(cyclic)
