"""The command line, end to end through a subprocess, as a person runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rlsnutrition as rn

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rlsnutrition", *args],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=60,
        env=None if env is None else {**os.environ, **env},
    )


def test_version_names_the_package_and_the_knowledge() -> None:
    out = run("--version")
    assert out.returncode == 0
    info = rn.knowledge_info()
    assert out.stdout.strip() == (
        f"rlsnutrition {rn.__version__} (knowledge {info.version}, reviewed {info.reviewed})"
    )


def test_help_has_examples() -> None:
    out = run("--help")
    assert out.returncode == 0
    assert "examples:" in out.stdout
    assert "rlsnutrition assess ferritin=45" in out.stdout


def test_nutrients_lists_the_six() -> None:
    out = run("nutrients")
    assert out.returncode == 0
    ids = [line.split()[0] for line in out.stdout.splitlines()]
    assert ids == [n.id for n in rn.nutrients()]


def test_lookup_prints_the_summary() -> None:
    out = run("lookup", "B-12")
    assert out.returncode == 0
    assert out.stdout.strip() == rn.lookup_nutrient("b12").summary()


def test_lookup_json_is_the_whole_record() -> None:
    out = run("lookup", "iron", "--json")
    data = json.loads(out.stdout)
    assert data["id"] == "iron"
    assert len(data["foods"]) == len(rn.lookup_nutrient("iron").foods)


def test_foods_with_diet_and_limit() -> None:
    out = run("foods", "iron", "--diet", "vegan", "--limit", "3", "--json")
    assert out.returncode == 0
    names = [f["name"] for f in json.loads(out.stdout)]
    assert names == [f.name for f in rn.foods_rich_in("iron", diet="vegan", limit=3)]
    text = run("foods", "iron", "--diet", "vegan", "--limit", "3").stdout
    assert all(name in text for name in names)


def test_assess_prints_status_actions_next_tests_and_disclaimer() -> None:
    out = run("assess", "ferritin=45", "tsat=18", "vitamin_d=30 nmol/L", "--sex", "female")
    assert out.returncode == 0, out.stderr
    assert "iron" in out.stdout and "low" in out.stdout
    assert "[consider-oral-iron]" in out.stdout
    assert "Worth testing next:" in out.stdout
    assert rn.DISCLAIMER in out.stdout


def test_assess_json_equals_the_library() -> None:
    out = run("assess", "ferritin=45", "tsat=18", "vitamin_d=30 nmol/L", "--pregnant", "--json")
    expected = rn.assess(
        {"ferritin": "45", "tsat": "18", "vitamin_d": "30 nmol/L"},
        context=rn.Context(pregnant=True),
    )
    assert rn.Assessment.from_json(out.stdout) == expected


def test_assess_reads_fhir_files() -> None:
    path = FIXTURES / "smart-sample-patients-stu3" / "patient-8888803.fhir-bundle.01.trimmed.json"
    out = run("assess", "--fhir", str(path), "--json")
    assert out.returncode == 0, out.stderr
    result = rn.Assessment.from_json(out.stdout)
    assert result.finding("iron").status in (rn.Status.LOW, rn.Status.DEFICIENT)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("assess", "feritin=45"), "feritin"),
        (("assess", "ferritin=lots"), "lots"),
        (("assess", "ferritin=45 furlongs"), "furlongs"),
        (("assess", "tsat=120"), "tsat"),
        (("assess", "ferritin"), "ANALYTE=VALUE"),
        (("assess",), "needs labs"),
        (("assess", "ferritin=45", "--age", "old"), "--age"),
        (("assess", "ferritin=45", "--sex", "other"), "--sex"),
        (("foods", "iron", "--diet", "keto"), "keto"),
        (("lookup", "unobtainium"), "unobtainium"),
        (("frobnicate",), "frobnicate"),
        (("assess", "--fhir", "/no/such/file.json"), "file.json"),
        (("assess", "ferritin=45", "Ferritin=50"), "given twice"),
        (("assess", "ferritin=45", "2276-4=50"), "given twice"),
        (("assess", "ferritin=45", "--patient", "Patient/1"), "--fhir"),
        ((), "COMMAND"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args: tuple[str, ...], needle: str) -> None:
    out = run(*args)
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("rlsnutrition: error:")
    assert needle in lines[0]
    assert "Traceback" not in out.stderr


def test_labs_typed_on_the_command_line_win_over_the_file() -> None:
    path = FIXTURES / "smart-sample-patients-stu3" / "patient-8888803.fhir-bundle.01.trimmed.json"
    out = run("assess", "--fhir", str(path), "ferritin=200", "tsat=30", "--json")
    assert out.returncode == 0, out.stderr
    iron = rn.Assessment.from_json(out.stdout).finding("iron")
    assert {v.analyte: v.value for v in iron.values}["ferritin"] == 200
    assert iron.status is rn.Status.ADEQUATE
    # the file's dated ferritin is replaced by an undated one: said on stderr
    assert "ferritin=200 replaces the file's ferritin result" in out.stderr


def test_fhir_skips_are_one_line_of_counts_on_stderr_and_stdout_stays_json() -> None:
    path = FIXTURES / "smart-sample-patients-stu3" / "patient-8888803.fhir-bundle.01.trimmed.json"
    read = rn.fhir.read(path)
    out = run("assess", "--fhir", str(path), "--json")
    assert out.returncode == 0, out.stderr
    rn.Assessment.from_json(out.stdout)  # stdout is the JSON alone
    notes = out.stderr.splitlines()
    assert all(line.startswith("rlsnutrition: note: ") for line in notes)
    (summary,) = [line for line in notes if "not judged" in line]
    assert f"{len(read.skipped)} FHIR result(s) not judged: " in summary
    assert "unit-not-accepted" in summary
    assert len(notes) == 1 + len(read.notes)
    verbose = run("assess", "--fhir", str(path), "--json", "--verbose")
    listed = verbose.stderr.splitlines()
    assert len(listed) == 1 + len(read.skipped) + len(read.notes)
    assert any("ug/L" in line for line in listed)  # the serum iron in an implausible unit


def test_a_fhir_file_with_nothing_usable_says_why() -> None:
    path = FIXTURES / "hl7-fhir-r4-core-examples" / "Observation-unsat.json"
    out = run("assess", "--fhir", str(path))
    assert out.returncode == 2
    assert "1 status-not-final" in out.stderr
    assert "held no lab result that can be judged" in out.stderr.splitlines()[-1]
    assert "cancelled" in run("assess", "--fhir", str(path), "--verbose").stderr


def test_a_console_without_unicode_gets_replacement_characters_not_a_traceback() -> None:
    out = run("assess", "ferritin=45", env={"PYTHONIOENCODING": "cp1252"})
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "Ferritin 45 ng/mL" in out.stdout


def test_assess_help_and_the_unknown_analyte_error_name_every_analyte() -> None:
    ids = [a.id for a in rn.analytes()]
    help_text = run("assess", "--help").stdout
    with pytest.raises(rn.UnknownAnalyteError) as info:
        rn.lookup_analyte("x")
    message = str(info.value)
    for analyte in ids:
        assert analyte in help_text
        assert analyte in message
