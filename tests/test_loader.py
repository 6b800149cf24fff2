"""Loading: lazy, once, thread-safe; a bad file fails at load naming the file and field."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

import rlsnutrition as rn
from rlsnutrition import _data, _generate, _knowledge


def test_importing_the_package_reads_no_data() -> None:
    code = (
        "import sys, rlsnutrition, rlsnutrition._knowledge as L\n"
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
    real_load = _knowledge.load

    def counting_load() -> _knowledge.Knowledge:
        calls.append(1)
        return real_load()

    monkeypatch.setattr(_knowledge, "_knowledge", None)
    monkeypatch.setattr(_knowledge, "_generated", lambda: None)  # as in a wheel
    monkeypatch.setattr(_knowledge, "load", counting_load)
    barrier = threading.Barrier(16)
    seen: list[object] = []

    def worker() -> None:
        barrier.wait()
        seen.append(_knowledge.knowledge())

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
    for name in _data.SOURCE_FILES:
        (copy_dir / name).write_bytes(_data.read_bytes(name))
    _read_from(monkeypatch, copy_dir)
    return copy_dir


def _read_from(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    def read_bytes(name: str) -> bytes:
        try:
            return (directory / name).read_bytes()
        except OSError as exc:
            raise rn.DataError(f"data file {name} cannot be read: {exc}") from None

    monkeypatch.setattr(_data, "read_bytes", read_bytes)


def _patched_read(monkeypatch: pytest.MonkeyPatch, name: str, doc: Any) -> None:
    real = _data.read_json

    def fake(file: str) -> Any:
        return doc if file == name else real(file)

    monkeypatch.setattr(_data, "read_json", fake)


def _iron() -> Any:
    return copy.deepcopy(_data.read_json("nutrients/iron.json"))


def test_unknown_key_is_rejected_naming_file_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["foods"][0]["colour"] = "red"
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match=r"nutrients/iron\.json.*foods\[0\]"):
        _knowledge.load()


def test_wrong_type_is_rejected_naming_file_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["intakes"][1]["kind"] = "MAX"
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match=r"nutrients/iron\.json.*intakes\[1\]\.kind"):
        _knowledge.load()


def test_undefined_reference_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["foods"][2]["references"] = ["no-such-ref"]
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match=r"iron\.json.*foods\[2\]\.references.*no-such-ref"):
        _knowledge.load()


def test_an_alias_claimed_by_two_nutrients_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["aliases"].append("B-12")
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match="claimed by both"):
        _knowledge.load()


def test_invalid_json_names_the_file(data_dir: Path) -> None:
    (data_dir / "thresholds.json").write_text("{oops", "utf-8")
    with pytest.raises(rn.DataError, match=r"thresholds\.json is not valid JSON"):
        _knowledge.load()


def test_a_negative_food_amount_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _iron()
    doc["foods"][0]["amount"] = -1
    _patched_read(monkeypatch, "nutrients/iron.json", doc)
    with pytest.raises(rn.DataError, match=r"iron\.json"):
        _knowledge.load()


def test_a_threshold_in_a_unit_its_analyte_does_not_take_is_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = copy.deepcopy(_data.read_json("thresholds.json"))
    doc["thresholds"][0]["unit"] = "furlongs"
    _patched_read(monkeypatch, "thresholds.json", doc)
    with pytest.raises(rn.DataError, match="furlongs"):
        _knowledge.load()


def test_a_threshold_the_rules_need_but_the_data_lacks_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rlsnutrition import _rules

    doc = copy.deepcopy(_data.read_json("thresholds.json"))
    doc["thresholds"] = [t for t in doc["thresholds"] if t["id"] != "iron.tsat.ceiling"]
    _patched_read(monkeypatch, "thresholds.json", doc)
    with pytest.raises(rn.DataError, match=r"iron\.tsat\.ceiling"):
        _rules.Rules(_knowledge.load())


def _package_copy(tmp_path: Path, *, generated: bool) -> Path:
    """A copy of the package's code and data under ``tmp_path`` (for ``sys.path``), with the
    module a wheel build generates if ``generated``."""
    package = Path(rn.__file__).parent
    target = tmp_path / "site" / "rlsnutrition"
    shutil.copytree(package, target, ignore=shutil.ignore_patterns("__pycache__"))
    module = target / "_knowledge_data.py"
    if generated:
        _generate.write_module(str(module))
    else:  # an installed wheel already holds the module its build generated
        module.unlink(missing_ok=True)
    return target


# Prints where the knowledge came from: "generated" when cattrs was never imported.
_FIRST_LOOKUP = (
    "import sys; sys.path.insert(0, sys.argv[1])\n"
    "import rlsnutrition as rn\n"
    "assert rn.__file__.startswith(sys.argv[1]), rn.__file__\n"
    "print(rn.foods_rich_in('iron')[0].name)\n"
    "print('json' if 'cattrs' in sys.modules else 'generated')\n"
)


def _first_lookup(package: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_LOOKUP, str(package.parent)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.splitlines()


def test_the_generated_module_holds_exactly_the_validated_knowledge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "_knowledge_data.py"
    _generate.write_module(str(path))
    spec = importlib.util.spec_from_file_location("rlsnutrition._knowledge_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    generated = _knowledge._generated()
    assert generated is not None
    assert generated == _knowledge.load()
    assert generated.nutrient_index["b12"] is generated.nutrients[2]


def test_a_package_with_the_generated_module_loads_without_cattrs(tmp_path: Path) -> None:
    package = _package_copy(tmp_path, generated=True)
    first, source = _first_lookup(package)
    assert first == rn.foods_rich_in("iron")[0].name
    assert source == "generated"


@pytest.mark.parametrize(
    "change",
    ["a data file", "the records' code", "a broken module"],
)
def test_a_stale_or_broken_generated_module_is_ignored_for_the_json(
    tmp_path: Path, change: str
) -> None:
    package = _package_copy(tmp_path, generated=True)
    expected = rn.foods_rich_in("iron")[0].name
    if change == "a data file":
        path = package / "data" / "nutrients" / "iron.json"
        doc = json.loads(path.read_text("utf-8"))
        richest = max(doc["foods"], key=lambda f: f["amount"])
        expected = richest["name"] = "Edited in the JSON"
        path.write_text(json.dumps(doc), "utf-8")
    elif change == "the records' code":
        with (package / "model.py").open("a", encoding="utf-8") as f:
            f.write("\n# a code change after the module was generated\n")
    else:
        (package / "_knowledge_data.py").write_text("FINGERPRINT = (\n", "utf-8")
    assert _first_lookup(package) == [expected, "json"]


def test_a_package_without_the_generated_module_reads_the_json(tmp_path: Path) -> None:
    package = _package_copy(tmp_path, generated=False)
    assert _first_lookup(package) == [rn.foods_rich_in("iron")[0].name, "json"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_during_the_first_load_loads_by_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_load = _knowledge.load
    parent = os.getpid()
    inside, release = threading.Event(), threading.Event()

    def blocking_load() -> _knowledge.Knowledge:
        if os.getpid() == parent:  # hold the lock in the parent until the child has forked
            inside.set()
            release.wait()
        return real_load()

    monkeypatch.setattr(_knowledge, "_knowledge", None)
    monkeypatch.setattr(_knowledge, "_generated", lambda: None)
    monkeypatch.setattr(_knowledge, "load", blocking_load)
    loader = threading.Thread(target=_knowledge.knowledge)
    loader.start()
    assert inside.wait(30)
    pid = os.fork()
    if pid == 0:  # the child: the loading thread does not exist here
        try:
            ok = _knowledge.knowledge().nutrients[0].id == "iron"
        finally:
            os._exit(0 if ok else 1)
    try:
        status = None
        for _ in range(3000):  # a deadlocked child never ends; a healthy one ends at once
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            release.wait(0.01)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child deadlocked on the parent's load lock")
    finally:
        release.set()
        loader.join()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _package_zip(tmp_path: Path) -> Path:
    """The package's source tree (code and data) as a zip archive."""
    package = Path(rn.__file__).parent
    archive = tmp_path / "rlsnutrition.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, Path("rlsnutrition") / path.relative_to(package))
    return archive


def test_the_data_is_read_from_a_zip_on_sys_path(tmp_path: Path) -> None:
    archive = _package_zip(tmp_path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import rlsnutrition as rn\n"
        "assert rn.__file__.startswith(sys.argv[1]), rn.__file__\n"
        "print(rn.lookup_nutrient('b12').id, rn.knowledge_info().version)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(archive)], check=True, capture_output=True, text=True
    )
    assert out.stdout.split()[0] == "vitamin_b12"


def test_the_command_line_runs_from_a_zipapp(tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    with zipfile.ZipFile(_package_zip(tmp_path)) as z:
        z.extractall(app_dir)
    app = tmp_path / "rlsnutrition.pyz"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "zipapp",
            str(app_dir),
            "-o",
            str(app),
            "-m",
            "rlsnutrition.cli:main",
        ],
        check=True,
    )
    out = subprocess.run(
        [sys.executable, str(app), "lookup", "b12"], check=True, capture_output=True, text=True
    )
    assert "Vitamin B12" in out.stdout
