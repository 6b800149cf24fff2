"""One newest-result policy: ``labs.latest`` decides for ``assess``, ``fhir.read`` and the CLI."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition import fhir
from rlsnutrition.labs import LabResult, latest, parse_when


def ferritin_obs(
    value: float, when: str | None, unit: str = "ng/mL", **extra: Any
) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
        "subject": {"reference": "Patient/1"},
        "valueQuantity": {"value": value, "unit": unit},
    }
    if when is not None:
        obs["effectiveDateTime"] = when
    obs.update(extra)
    return obs


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def test_latest_keeps_the_newest_per_analyte_and_names_conflicts() -> None:
    got = latest(
        [
            LabResult("ferritin", 20, when="2024-01-05"),
            LabResult("2276-4", 150, when="2024-03-01T09:00:00Z"),  # LOINC names ferritin
            LabResult("ferritin", 90, when="2024-03-01T10:00:00+02:00"),  # 08:00 UTC: older
            LabResult("tsat", 18, when="2024-03-01"),
            LabResult("tsat", 40, when="2024-03-01"),
            LabResult("tsat", 10, when="2023-03-01"),
        ]
    )
    assert [(r.analyte, r.value) for r in got.results] == [("2276-4", 150)]
    assert sorted(r.value for r in got.superseded) == [10, 20, 90]
    (conflict,) = got.conflicts
    assert conflict.analyte == "tsat"
    assert {r.value for r in conflict.results} == {18, 40}
    assert str(conflict) == (
        "tsat has different results (18 % and 40 %) at the same time (2024-03-01); "
        "neither is judged"
    )


def test_equal_values_at_one_instant_are_one_result_in_any_unit() -> None:
    got = latest(
        [
            LabResult("ferritin", 45, "ng/mL", when="2024-01-01T00:00:00Z"),
            LabResult("ferritin", 45, "ug/L", when="2024-01-01"),
        ]
    )
    assert len(got.results) == 1 and not got.conflicts
    assert len(got.superseded) == 1


def test_undated_is_older_than_any_date_and_two_undated_values_conflict() -> None:
    got = latest([LabResult("ferritin", 5), LabResult("ferritin", 50, when="1990")])
    assert [r.value for r in got.results] == [50]
    got = latest([LabResult("ferritin", 5), LabResult("ferritin", 50)])
    assert got.results == ()
    assert "with no date to tell them apart" in str(got.conflicts[0])


@given(st.randoms(use_true_random=False))
def test_the_order_of_results_never_changes_the_choice(rnd: random.Random) -> None:
    results = [
        LabResult("ferritin", 45, "ng/mL", when="2024-01-01"),
        LabResult("ferritin", 45, "ug/L", when="2024-01-01T00:00:00Z"),
        LabResult("ferritin", 12, when="2023-01-01"),
        LabResult("tsat", 18, when="2024-03-01"),
        LabResult("tsat", 40, when="2024-03-01"),
        LabResult("vitamin_d", 30),
    ]
    expected = latest(results)
    shuffled = list(results)
    rnd.shuffle(shuffled)
    got = latest(shuffled)
    assert set(got.results) == set(expected.results)
    assert [c.analyte for c in got.conflicts] == [c.analyte for c in expected.conflicts]


def test_assess_calls_a_same_time_conflict_by_its_time_not_undated() -> None:
    with pytest.raises(rn.InvalidLabValueError, match=r"at the same time \(2024-01-01\)"):
        rn.assess(
            [
                LabResult("ferritin", 10, when="2024-01-01"),
                LabResult("ferritin", 300, when="2024-01-01"),
            ]
        )
    # a newer result settles an older conflict
    a = rn.assess(
        [
            LabResult("ferritin", 10, when="2024-01-01"),
            LabResult("ferritin", 300, when="2024-01-01"),
            LabResult("ferritin", 150, when="2024-02-01"),
            LabResult("tsat", 30),
        ]
    )
    assert a.finding("iron").status is rn.Status.ADEQUATE


def test_a_leap_second_is_a_valid_instant() -> None:
    leap = parse_when("2016-12-31T23:59:60Z")
    assert leap is not None
    assert parse_when("2016-12-31T23:59:59Z") < leap < parse_when("2017-01-01T00:00:00Z")  # type: ignore[operator]
    labs = fhir.read(
        bundle(ferritin_obs(40, "2016-12-31T23:59:59Z"), ferritin_obs(80, "2016-12-31T23:59:60Z"))
    )
    assert [(r.value, r.when) for r in labs.results] == [(80, "2016-12-31T23:59:60Z")]


def test_fractions_of_a_second_tell_results_apart() -> None:
    labs = fhir.read(
        bundle(
            ferritin_obs(40, "2024-01-01T10:00:00.1Z"), ferritin_obs(80, "2024-01-01T10:00:00.9Z")
        )
    )
    assert [r.value for r in labs.results] == [80]


def test_a_history_whose_newest_version_is_entered_in_error_keeps_no_value() -> None:
    url = "http://a.org/fhir/Observation/f"
    v1 = ferritin_obs(12, "2024-01-01", id="f", meta={"versionId": "1"})
    v2 = ferritin_obs(12, "2024-01-01", id="f", meta={"versionId": "2"}, status="entered-in-error")
    for entries in ([v1, v2], [v2, v1]):
        history = {
            "resourceType": "Bundle",
            "type": "history",
            "entry": [{"fullUrl": url, "resource": r} for r in entries],
        }
        labs = fhir.read(history)
        assert labs.results == ()
        assert {s.reason_code for s in labs.skipped} == {"status-not-final", "retracted"}
    # versions ordered by lastUpdated when they carry no versionId; the newest is read
    v1 = ferritin_obs(12, "2024-01-01", id="f", meta={"lastUpdated": "2024-01-02T00:00:00Z"})
    v2 = ferritin_obs(15, "2024-01-01", id="f", meta={"lastUpdated": "2024-01-03T00:00:00Z"})
    history = {
        "resourceType": "Bundle",
        "type": "history",
        "entry": [{"fullUrl": url, "resource": r} for r in (v2, v1)],
    }
    assert [r.value for r in fhir.read(history).results] == [15]
    # versions that cannot be ordered, one entered-in-error: no value is read
    v1 = ferritin_obs(12, "2024-01-01", id="f")
    v2 = ferritin_obs(12, "2024-01-01", id="f", status="entered-in-error")
    history = {
        "resourceType": "Bundle",
        "type": "history",
        "entry": [{"fullUrl": url, "resource": r} for r in (v1, v2)],
    }
    assert fhir.read(history).results == ()


def test_duplicate_json_keys_are_refused_not_last_wins(tmp_path: Path) -> None:
    text = (
        '{"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": '
        '"http://loinc.org", "code": "2276-4"}]}, "valueQuantity": {"value": 300, "value": 10, '
        '"unit": "ng/mL"}}'
    )
    with pytest.raises(fhir.FhirError, match="'value' twice"):
        fhir.read(text)
    with pytest.raises(fhir.FhirError, match="twice"):
        fhir.read(text.encode())
    path = tmp_path / "dup.json"
    path.write_text(text, "utf-8")
    with pytest.raises(fhir.FhirError, match="twice"):
        fhir.read(path)


def test_many_conflicting_results_cost_linear_memory() -> None:
    # 16,000 ferritins at one instant, all different: each skip's reason is one shared text of
    # bounded length, not a list of every value (which made 3.8 GB of messages).
    n = 16_000
    source = bundle(*(ferritin_obs(i + 1, "2024-01-01") for i in range(n)))
    labs = fhir.read(source)
    assert labs.results == ()
    assert len(labs.skipped) == n
    assert {s.reason_code for s in labs.skipped} == {"conflicting"}
    assert len({id(s.reason) for s in labs.skipped}) == 1
    assert len(labs.skipped[0].reason) < 200
    assert "15997 more" in labs.skipped[0].reason


# --- the command line: across files, the same policy --------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rlsnutrition", *args], capture_output=True, text=True, timeout=60
    )


# The files name Patient/1 relative to no server: --patient asserts they are one person.
ONE = ("--patient", "Patient/1")


def test_same_time_results_in_two_files_conflict_whatever_the_order(tmp_path: Path) -> None:
    low, high = tmp_path / "low.json", tmp_path / "high.json"
    low.write_text(json.dumps(ferritin_obs(10, "2024-01-01")), "utf-8")
    high.write_text(json.dumps(ferritin_obs(300, "2024-01-01")), "utf-8")
    outs = [
        _cli("assess", "--fhir", str(a), "--fhir", str(b), *ONE, "tsat=30", "--json", "--verbose")
        for a, b in [(low, high), (high, low)]
    ]
    for out in outs:
        assert out.returncode == 0, out.stderr
        iron = next(f for f in json.loads(out.stdout)["findings"] if f["nutrient"] == "iron")
        assert [v["analyte"] for v in iron["values"]] == ["tsat"]  # no ferritin was guessed
        assert "1 conflicting" in out.stderr  # counted; --verbose says which and why
        assert "at the same time (2024-01-01)" in out.stderr
    assert outs[0].stdout == outs[1].stdout
    # the newer file wins, in either order
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(ferritin_obs(80, "2024-02-01")), "utf-8")
    for args in (
        ("--fhir", str(low), "--fhir", str(newer)),
        ("--fhir", str(newer), "--fhir", str(low)),
    ):
        out = _cli("assess", *args, *ONE, "--json")
        values = [v for f in json.loads(out.stdout)["findings"] for v in f["values"]]
        assert [v["value"] for v in values] == [80]
    # a lab typed on the command line wins over the files
    out = _cli("assess", "--fhir", str(low), "--fhir", str(high), *ONE, "ferritin=45", "--json")
    values = [v for f in json.loads(out.stdout)["findings"] for v in f["values"]]
    assert [v["value"] for v in values] == [45]


# --- a deletion in a history Bundle retracts the versions before it ---------------------------

SERVER = "http://a.org/fhir"


@st.composite
def _deletion(draw: st.DrawFn) -> dict[str, Any]:
    """A history Bundle entry recording the deletion of Observation/1, in any of its spellings."""
    entry: dict[str, Any] = {}
    how = draw(st.sampled_from(["request", "response", "both"]))
    where = draw(st.sampled_from(["fullUrl", "relative", "absolute"]))
    url = {"relative": "Observation/1", "absolute": f"{SERVER}/Observation/1"}.get(where)
    if where == "fullUrl":
        entry["fullUrl"] = f"{SERVER}/Observation/1"
    if how in ("request", "both"):
        entry["request"] = {"method": "DELETE", "url": url or "Observation/1"}
    if how in ("response", "both"):
        entry["response"] = {"status": draw(st.sampled_from(["410", "410 Gone"]))}
        if how == "response" and url is not None:
            entry["request"] = {"method": "GET", "url": url}
    return entry


@given(deletion=_deletion(), older=st.integers(min_value=1, max_value=3))
def test_a_deleted_record_is_not_read_from_its_older_versions(
    deletion: dict[str, Any], older: int
) -> None:
    versions = [
        {
            "fullUrl": f"{SERVER}/Observation/1",
            "resource": ferritin_obs(10 * v, "2024-01-01", id="1", meta={"versionId": str(v)}),
        }
        for v in range(older, 0, -1)  # newest first, as a history lists them
    ]
    history = {"resourceType": "Bundle", "type": "history", "entry": [deletion, *versions]}
    labs = fhir.read(history)
    assert labs.results == ()
    assert {s.reason_code for s in labs.skipped} == {"retracted"}
    # re-created after the deletion: the newer version, listed before it, is read
    recreated = {
        "fullUrl": f"{SERVER}/Observation/1",
        "resource": ferritin_obs(99, "2024-02-01", id="1", meta={"versionId": str(older + 2)}),
    }
    history["entry"] = [recreated, deletion, *versions]
    assert [r.value for r in fhir.read(history).results] == [99]


# --- partial dates are periods, not midnight UTC ----------------------------------------------

ZONES = st.sampled_from(["Z", "+10:00", "-05:00", "+14:00", "-12:00", "+05:30"])


@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    clock=st.times(),
    zone=ZONES,
    precision=st.sampled_from(["day", "month", "year"]),
    flip=st.booleans(),
)
def test_a_partial_date_and_an_instant_within_it_conflict(
    day: date, clock: time, zone: str, precision: str, flip: bool
) -> None:
    # "2024-01-01" may be later than 2024-01-01T09:00:00+10:00: neither is guessed newest
    instant = f"{day.isoformat()}T{clock.strftime('%H:%M:%S')}{zone}"
    partial = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}
    results = [
        rn.LabResult("ferritin", 10, when=partial[precision]),
        rn.LabResult("ferritin", 300, when=instant),
    ]
    got = rn.latest(results[::-1] if flip else results)
    assert got.results == ()
    (conflict,) = got.conflicts
    assert "may be the same" in str(conflict)
    # the same value at both is one result
    same = rn.latest([rn.LabResult("ferritin", 10, when=partial[precision]), results[0]])
    assert [r.value for r in same.results] == [10]


@given(
    day=st.dates(min_value=date(1990, 1, 2), max_value=date(2030, 12, 30)),
    clock=st.times(),
    zone=ZONES,
)
def test_a_partial_date_before_or_after_an_instants_own_date_is_ordered(
    day: date, clock: time, zone: str
) -> None:
    instant = rn.LabResult("ferritin", 300, when=f"{day}T{clock.strftime('%H:%M:%S')}{zone}")
    later = rn.LabResult("ferritin", 10, when=(day + timedelta(days=1)).isoformat())
    earlier = rn.LabResult("ferritin", 10, when=(day - timedelta(days=1)).isoformat())
    assert rn.latest([instant, later]).results == (later,)
    assert rn.latest([earlier, instant]).results == (instant,)
    # a year holding both days is newest with the later one: they may be either order
    year = rn.LabResult("ferritin", 99, when=str(later.when)[:4])
    assert rn.latest([year, later]).conflicts
    # two days in a row are ordered, as their calendar says
    assert rn.latest([earlier, later]).results == (later,)
