"""The generated parts of the docs match the packaged knowledge and the test vignettes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("tool", ["gen_docs.py", "gen_validation.py"])
def test_generated_doc_sections_are_current(tool: str) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / tool), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
