"""The built wheel: what it ships (no pickle, no data-editing notes, the generated knowledge),
its metadata, and that its generated knowledge is the validated JSON's, without cattrs."""

from __future__ import annotations

import email
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("rlsnutrition-*.whl"))


def test_the_wheel_ships_the_generated_knowledge_and_nothing_odd(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "rlsnutrition/_knowledge_data.py" in names
    assert "rlsnutrition/py.typed" in names
    assert "rlsnutrition/data/nutrients/iron.json" in names
    assert not [n for n in names if n.endswith((".pickle", ".pkl", ".pyc"))]
    assert not [n for n in names if n.endswith("SCHEMA.md")]
    assert not [n for n in names if "__pycache__" in n]


def test_the_wheel_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(z.read(name))
    assert float(meta["Metadata-Version"]) >= 2.4
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    classifiers = meta.get_all("Classifier")
    assert not [c for c in classifiers if c.startswith("License ::")]  # deprecated by PEP 639
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert meta["Requires-Python"] == ">=3.10"
    runtime = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    assert sorted(r.split(">")[0] for r in runtime) == ["attrs", "cattrs"]
    extras = set(meta.get_all("Provides-Extra"))
    assert {"test", "dev", "pandas", "dask"} <= extras
    test_deps = [r for r in meta.get_all("Requires-Dist") if "extra == 'test'" in r]
    assert not [r for r in test_deps if r.startswith(("ruff", "mkdocs"))]


def test_the_wheels_generated_knowledge_is_the_validated_json_without_cattrs(
    wheel: Path, tmp_path: Path
) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import rlsnutrition as rn\n"
        "from rlsnutrition import _knowledge\n"
        "assert rn.__file__.startswith(sys.argv[1]), rn.__file__\n"
        "first = _knowledge.knowledge()\n"
        "assert 'cattrs' not in sys.modules, 'the generated module was not used'\n"
        "assert first == _knowledge.load(), 'generated and JSON knowledge differ'\n"
        "assert 'cattrs' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
