"""Render docs/clinical-validation.md from the clinical vignettes in tests/vignettes.py.

    python tools/gen_validation.py          # rewrite the page
    python tools/gen_validation.py --check  # exit 1 if the committed page is out of date

The test suite checks every vignette against ``assess`` (tests/test_assess_vignettes.py) and
that this page is current (tests/test_docs_current.py), so the page shows what the code does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from vignettes import VIGNETTES, Vignette  # noqa: E402

PAGE = ROOT / "docs" / "clinical-validation.md"

HEAD = """# Clinical validation

Every row is a vignette that the test suite runs through `assess` (tests/vignettes.py, checked by
tests/test_assess_vignettes.py): the labs and context given, the status and codes a reviewing
clinician expects for that nutrient, and the guideline sentence the verdict follows. Each cut-off
has a vignette on each side of it, for adults, children, pregnancy, kidney disease and dialysis.
This page is generated from the same list (`python tools/gen_validation.py`); the suite fails if
it is out of date. See [clinical basis](clinical-basis.md) for the rules and every threshold.

Beside these vignettes, tests/test_assess_mutations.py writes out every threshold, every unit
factor (from molar masses) and the adult age independently of the library, so that changing
any of them fails the suite; each kind of change was tried once by hand (the hemoglobin mmol/L
factor, the iron and TIBC µmol/L factors, the adult age both ways, a threshold used by a rule,
one only quoted in a rationale, and one kept for reference) and each failed it.

| # | vignette | labs | context | nutrient | expected status | expected codes | expected warnings | follows |
|---|---|---|---|---|---|---|---|---|
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\\\|")


def _row(i: int, v: Vignette) -> str:
    labs = json.dumps(v.labs, ensure_ascii=False)
    ctx = ", ".join(f"{k}={v!r}" for k, v in v.context.items()) or "adult, unspecified"
    codes = ", ".join(f"`{c}`" for c in v.codes) or "—"
    warns = "not checked" if v.warnings is None else ", ".join(f"`{w}`" for w in v.warnings) or "—"
    cells = [str(i), v.title, f"`{labs}`", ctx, v.nutrient, f"`{v.status}`", codes, warns, v.basis]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render() -> str:
    return HEAD + "\n".join(_row(i, v) for i, v in enumerate(VIGNETTES, 1)) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not PAGE.exists() or PAGE.read_text("utf-8") != text:
            print("out of date: clinical-validation.md (run python tools/gen_validation.py)")
            return 1
        return 0
    PAGE.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
