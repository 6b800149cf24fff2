"""Loading: lazy, once, thread-safe; a bad file fails at load naming the file and field."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import rlsnutrition as rn
from rlsnutrition import _loader


def test_importing_the_package_reads_no_data() -> None:
    code = (
        "import sys, rlsnutrition, rlsnutrition._loader as L\n"
        "assert L._knowledge is None, 'data loaded at import'\n"
        "assert 'cattrs' not in sys.modules, 'cattrs imported at import time'\n"
        "assert 'rlsnutrition.fhir' not in sys.modules, 'fhir imported at import time'\n"
        "rlsnutrition.lookup_nutrient('iron')\n"
        "assert L._knowledge is not None\n"
        "assert rlsnutrition.fhir.read is sys.modules['rlsnutrition.fhir'].read\n"
        "assert 'fhir' in dir(rlsnutrition)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_many_threads_load_once_and_see_the_same_knowledge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    real_load = _loader.load

    def counting_load() -> _loader.Knowledge:
        calls.append(1)
        return real_load()

    monkeypatch.setattr(_loader, "_knowledge", None)
    monkeypatch.setattr(_loader, "_cached", lambda: None)  # an installed wheel has a cache
    monkeypatch.setattr(_loader, "load", counting_load)
    barrier = threading.Barrier(16)
    seen: list[object] = []

    def worker() -> None:
        barrier.wait()
        seen.append(_loader.knowledge())

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len({id(k) for k in seen}) == 1


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the packaged JSON files that the loader reads instead of the real ones."""
    copy_dir = tmp_path / "data"
    (copy_dir / "nutrients").mkdir(parents=True)
    for name in _loader.SOURCE_FILES:
        (copy_dir / name).write_bytes(_loader._read_bytes(name))
    monkeypatch.setattr(_loader, "_DATA_DIR", str(copy_dir))
    return copy_dir


def _patched_read(monkeypatch: pytest.MonkeyPatch, name: str, doc: Any) -> None:
    real = _loader._read_json

    def fake(file: str) -> Any:
        return doc if file == name else real(file)

    monkeypatch.setattr(_loader, "_read_json", fake)


def _iron() -> Any:
    return copy.deepcopy(_loader._read_json("nutrients/iron.json"))


def test_unknown_key_is_rejected_naming_file_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["foods"][0]["colour"] = "red"
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match=r"nutrients/iron\.json.*foods\[0\]"):
        _loader.load()


def test_wrong_type_is_rejected_naming_file_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["intakes"][1]["kind"] = "MAX"
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match=r"nutrients/iron\.json.*intakes\[1\]\.kind"):
        _loader.load()


def test_undefined_reference_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["foods"][2]["references"] = ["no-such-ref"]
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match=r"iron\.json.*foods\[2\]\.references.*no-such-ref"):
        _loader.load()


def test_an_alias_claimed_by_two_nutrients_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["aliases"].append("B-12")
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match="claimed by both"):
        _loader.load()


def test_invalid_json_names_the_file(data_dir: Path) -> None:
    (data_dir / "thresholds.json").write_text("{oops", "utf-8")
    with pytest.raises(rn.DataError, match=r"thresholds\.json is not valid JSON"):
        _loader.load()


def test_a_negative_food_amount_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["foods"][0]["amount"] = -1
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match=r"iron\.json"):
        _loader.load()


def test_a_threshold_in_a_unit_its_analyte_does_not_take_is_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = copy.deepcopy(_loader._read_json("thresholds.json"))
    doc["thresholds"][0]["unit"] = "furlongs"
    _patched_read(monkeypatch, "thresholds.json", doc)
    with pytest.raises(rn.DataError, match="furlongs"):
        _loader.load()


def test_a_threshold_the_rules_need_but_the_data_lacks_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rlsnutrition import _rules

    doc = copy.deepcopy(_loader._read_json("thresholds.json"))
    doc["thresholds"] = [t for t in doc["thresholds"] if t["id"] != "iron.tsat.ceiling"]
    _patched_read(monkeypatch, "thresholds.json", doc)
    with pytest.raises(rn.DataError, match=r"iron\.tsat\.ceiling"):
        _rules.Rules(_loader.load())


def test_the_build_time_cache_holds_exactly_the_validated_knowledge(data_dir: Path) -> None:
    validated = _loader.load()
    _loader.write_cache(str(data_dir / _loader.CACHE_FILE))
    cached = _loader._cached()
    assert cached is not None
    assert cached == validated
    assert cached.nutrient_index["b12"] is cached.nutrients[2]


def test_a_cache_that_no_longer_matches_the_json_is_ignored(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _loader.write_cache(str(data_dir / _loader.CACHE_FILE))
    iron = json.loads((data_dir / "nutrients" / "iron.json").read_text("utf-8"))
    iron["foods"][0]["colour"] = "red"
    (data_dir / "nutrients" / "iron.json").write_text(json.dumps(iron), "utf-8")
    assert _loader._cached() is None
    monkeypatch.setattr(_loader, "_knowledge", None)
    with pytest.raises(rn.DataError, match=r"iron\.json"):
        _loader.knowledge()


def test_a_corrupt_cache_is_ignored(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / _loader.CACHE_FILE).write_bytes(b"not a pickle")
    monkeypatch.setattr(_loader, "_DATA_DIR", str(data_dir))
    assert _loader._cached() is None
