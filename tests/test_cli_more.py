"""The command line's options for scripts and FHIR pipes: --units, - for stdin, --verbose,
factors, diets in any case, JSON errors, and the subject and dates in the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import rlsnutrition as rn

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"
SMART = FIXTURES / "smart-sample-patients-stu3" / "patient-8888803.fhir-bundle.trimmed.json"
TEN_PEOPLE = (
    FIXTURES / "hl7-fhir-r4-core-examples" / "Bundle-72ac8493-52ac-41bd-8d5d-7258c289b5ea.json"
)


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [sys.executable, "-m", "rlsnutrition", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
    )
    return subprocess.CompletedProcess(
        out.args, out.returncode, out.stdout.decode(), out.stderr.decode()
    )


def test_units_si_reads_numbers_as_si() -> None:
    out = run("assess", "ferritin=40", "vitamin_d=50", "magnesium=0.8", "--units", "si", "--json")
    assert out.returncode == 0, out.stderr
    expected = rn.assess({"ferritin": 40, "vitamin_d": 50, "magnesium": 0.8}, units="si")
    assert rn.Assessment.from_json(out.stdout) == expected
    assert run("assess", "ferritin=40", "--units", "metric").returncode == 2


def test_a_dash_reads_fhir_from_standard_input() -> None:
    piped = run("assess", "--fhir", "-", "--json", stdin=SMART.read_bytes())
    from_file = run("assess", "--fhir", str(SMART), "--json")
    assert piped.returncode == 0, piped.stderr
    got, expected = (rn.Assessment.from_json(o.stdout) for o in (piped, from_file))
    assert got.findings == expected.findings
    assert [w.code for w in got.warnings] == [w.code for w in expected.warnings]
    twice = run("assess", "--fhir", "-", "--fhir", "-", stdin=b"{}")
    assert twice.returncode == 2
    assert "standard input" in twice.stderr


def test_standard_input_that_is_not_fhir_is_a_clear_error() -> None:
    out = run("assess", "--fhir", "-", stdin=b"not json")
    assert out.returncode == 2
    assert out.stderr.startswith("rlsnutrition: error: ")
    assert "Traceback" not in out.stderr


def test_the_report_shows_the_subject_and_when_each_value_was_taken() -> None:
    out = run("assess", "--fhir", str(TEN_PEOPLE), "--patient", "Patient/1")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "RLS nutrition assessment"
    assert lines[1] == "Subject: https://example.com/base/Patient/1"
    assert "crp 2.8 mg/L (taken 2012-05-21T10:45:00Z)" in out.stdout
    typed = run("assess", "ferritin=45 ug/L").stdout.splitlines()
    assert typed[1] == "Values: ferritin 45 µg/L"  # no subject, no date: none is claimed


@pytest.mark.parametrize("kind", ["medicine", "Medicine", "secondary_cause", "TRIGGER"])
def test_factors_lists_each_kind_in_any_case(kind: str) -> None:
    out = run("factors", "--kind", kind)
    assert out.returncode == 0, out.stderr
    for factor in rn.rls_factors(kind):  # type: ignore[arg-type]
        assert f"{factor.name} ({factor.kind})" in out.stdout


def test_factors_json_and_a_bad_kind() -> None:
    out = run("factors", "--json")
    assert [f["id"] for f in json.loads(out.stdout)] == [f.id for f in rn.rls_factors()]
    bad = run("factors", "--kind", "weather")
    assert bad.returncode == 2
    assert "weather" in bad.stderr


def test_diet_names_in_any_case() -> None:
    out = run("foods", "iron", "--diet", "VEGAN", "--limit", "3", "--json")
    assert out.returncode == 0, out.stderr
    expected = [f.name for f in rn.foods_rich_in("iron", diet="vegan", limit=3)]
    assert [f["name"] for f in json.loads(out.stdout)] == expected
    assert run("foods", "iron", "--diet", "keto").returncode == 2


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["assess", "feritin=45"], "UnknownAnalyteError"),
        (["assess", "ferritin=lots"], "InvalidLabValueError"),
        (["assess"], "UsageError"),
        (["assess", "ferritin=45", "--age", "old"], "UsageError"),
        (["lookup", "zinc"], "UnknownNutrientError"),
        (["assess", "--fhir", "/nonexistent/labs.json"], "FhirError"),
    ],
)
def test_under_json_errors_are_json_on_stderr_with_the_same_exit_status(
    args: list[str], kind: str
) -> None:
    out = run(*args, "--json")
    assert out.returncode == 2
    assert out.stdout == ""
    error = json.loads(out.stderr)["error"]
    assert error["type"] == kind
    assert error["message"]
    plain = run(*args)
    assert plain.returncode == 2
    assert plain.stderr.startswith("rlsnutrition: error: ")
