"""The generated parts of the docs match the packaged knowledge."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_doc_sections_are_current() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_clinical_validation_page_is_current() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_validation.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
