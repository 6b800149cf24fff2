"""Every fenced ``python`` block in docs/*.md and README.md runs, so that no recipe can rot.

A page's blocks run in order in one namespace (as a reader would paste them into one session),
as ``__main__``, in a fresh directory holding the files the page names (FIXTURES below).
REPL blocks (``>>>``) run as doctests: shown output is checked, output left out is not.
A block is skipped only when the line before its fence is
``<!-- docs-test: skip: <reason> -->``, and the reason is shown in the test report.
"""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FHIR = Path(__file__).parent / "fixtures" / "fhir"
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]

# Files a page reads, as it names them -> the fixture that stands in for them.
FIXTURES: dict[str, dict[str, Path]] = {
    "guide-app.md": {
        "patient-bundle.json": FHIR
        / "smart-sample-patients-stu3/patient-8888803.fhir-bundle.trimmed.json",
        "lab-bundle.json": FHIR
        / "hl7-fhir-r4-core-examples/Bundle-72ac8493-52ac-41bd-8d5d-7258c289b5ea.json",
    },
}

_FENCE = re.compile(
    r"^(?:<!-- docs-test: skip: (?P<skip>.*?) -->\n)?```python\n(?P<code>.*?)^```", re.M | re.S
)
_SKIP_MARK = re.compile(r"<!-- docs-test: skip(?P<rest>.*?)-->")


class Block:
    def __init__(self, page: Path, line: int, code: str, skip: str | None) -> None:
        self.page, self.line, self.code, self.skip = page, line, code, skip

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for m in _FENCE.finditer(text):
        line = text.count("\n", 0, m.start("code"))  # the fence's line, counting from 1
        found.append(Block(page, line, m["code"], m["skip"]))
    return found


class _ShownOutputOnly(doctest.OutputChecker):
    """A REPL block that shows no output for a line (``>>> print(result)``) leaves it out."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        return not want or super().check_output(want, got, optionflags)


def run_block(block: Block, namespace: dict[str, object]) -> None:
    if block.code.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(block.code, namespace, block.where, None, 0)
        runner = doctest.DocTestRunner(
            checker=_ShownOutputOnly(),
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        )
        report: list[str] = []
        runner.run(test, out=report.append, clear_globs=False)
        namespace.update(test.globs)  # the doctest ran in a copy
        assert runner.failures == 0, f"{block.where}:\n" + "".join(report)
    else:
        exec(compile(block.code, block.where, "exec"), namespace)


RUNNABLE = [p for p in PAGES if blocks(p)]


@pytest.mark.parametrize("page", RUNNABLE, ids=[p.name for p in RUNNABLE])
def test_every_python_block_on_the_page_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, source in FIXTURES.get(page.name, {}).items():
        shutil.copy(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    skipped = []
    for block in blocks(page):
        if block.skip is not None:
            skipped.append(f"{block.where}: {block.skip}")
            continue
        run_block(block, namespace)
    if skipped:
        with capsys.disabled():
            print("\nskipped docs blocks:\n  " + "\n  ".join(skipped))


def test_every_skip_mark_is_on_a_python_block_and_gives_a_reason() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        marks = len(_SKIP_MARK.findall(text))
        reasoned = [b for b in blocks(page) if b.skip is not None]
        assert marks == len(reasoned), f"{page.name}: a skip mark is not right above a block"
        for b in reasoned:
            assert len(b.skip.strip()) >= 10, f"{b.where}: say why the block is skipped"


def test_the_runner_sees_the_blocks_it_must() -> None:
    names = {p.name for p in RUNNABLE}
    assert {"README.md", "quickstart.md", "guide-app.md", "guide-cds.md", "performance.md"} <= names
