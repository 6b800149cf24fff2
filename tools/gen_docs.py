"""Regenerate the data-driven parts of docs/ from the packaged knowledge.

    python tools/gen_docs.py          # rewrite the generated sections in place
    python tools/gen_docs.py --check  # exit 1 if any generated section is out of date

Each page keeps hand-written prose; only the text between ``<!-- BEGIN GENERATED -->`` and
``<!-- END GENERATED -->`` is replaced. The test suite runs ``--check`` so docs never drift.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs

import rlsnutrition as rn

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"(<!-- BEGIN GENERATED -->\n)(.*?)(<!-- END GENERATED -->)", re.DOTALL)


def _cite(refs: tuple[rn.Reference, ...]) -> str:
    return "; ".join(f"[{r.id}](data-sources.md#{r.id})" for r in refs)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def thresholds_table() -> str:
    rows = [
        "| id | analyte | holds when | as also published | in default unit | means | population "
        "| sources |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in rn.thresholds():
        unit = rn.lookup_analyte(t.analyte).default_unit
        default = f"{rn.convert(t.value, t.unit, unit, analyte=t.analyte):.4g} {unit}"
        published = ", ".join(f"{t.comparator} {e.value:g} {e.unit}" for e in t.equivalents) or "—"
        rows.append(
            f"| `{t.id}` | {t.analyte} | {t.comparator} {t.value:g} {t.unit} | {published} | "
            f"{default} | {_cell(t.meaning)} | {_cell(t.population)} | {_cite(t.references)} |"
        )
    return "\n".join(rows) + "\n"


def analytes_table() -> str:
    rows = [
        "| analyte | default unit | other units (factor to default) | LOINC |",
        "|---|---|---|---|",
    ]
    for a in rn.analytes():
        others = ", ".join(f"{u.unit} (×{u.factor:g})" for u in a.units[1:]) or "—"
        rows.append(f"| `{a.id}` | {a.default_unit} | {others} | {', '.join(a.loinc)} |")
    return "\n".join(rows) + "\n"


def _references(record: object) -> Iterator[rn.Reference]:
    """Every reference reachable from ``record`` (a knowledge record, or a tuple of them)."""
    if isinstance(record, rn.Reference):
        yield record
    elif isinstance(record, tuple):
        for item in record:
            yield from _references(item)
    elif attrs.has(type(record)):
        for field in attrs.fields(type(record)):
            yield from _references(getattr(record, field.name))


def _rule_book() -> object:
    """The references of the rules' own data (rules.json is not public API; the test suite
    checks that each reference it defines is cited in it)."""
    import json
    from importlib.resources import files

    doc = json.loads((files("rlsnutrition") / "data" / "rules.json").read_text("utf-8"))
    return tuple(rn.Reference(**ref) for ref in doc["references"])


def references_list() -> str:
    used: dict[str, list[str]] = {}
    every: dict[str, rn.Reference] = {}
    files: list[tuple[str, object]] = [(f"nutrients/{n.id}.json", n) for n in rn.nutrients()]
    files += [
        ("analytes.json", rn.analytes()),
        ("thresholds.json", rn.thresholds()),
        ("rules.json", _rule_book()),
        ("rls_factors.json", rn.rls_factors()),
    ]
    for name, records in files:
        for r in _references(records):
            every[r.id] = r
            if name not in used.setdefault(r.id, []):
                used[r.id].append(name)
    lines = []
    for ref in sorted(every.values(), key=lambda r: r.id):
        links = []
        if ref.doi:
            links.append(f"doi:[{ref.doi}](https://doi.org/{ref.doi})")
        if ref.pmid:
            links.append(f"PMID [{ref.pmid}](https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/)")
        if ref.url:
            links.append(f"<{ref.url}>")
        lines.append(
            f'- <a id="{ref.id}"></a>**{ref.id}** ({ref.kind}): {_cell(ref.title)}. '
            f"{_cell(ref.publisher)}, {ref.year}. {' '.join(links)} "
            f"— cited in {', '.join(sorted(used.get(ref.id, [])))}"
        )
    return "\n".join(lines) + "\n"


def foods_summary() -> str:
    rows = ["| nutrient | Daily Value | foods | with printed %DV | sources of the food rows |",
            "|---|---|---|---|---|"]  # fmt: skip
    for n in rn.nutrients():
        sources = sorted({r.id for f in n.foods for r in f.references})
        printed = sum(f.percent_dv is not None for f in n.foods)
        rows.append(
            f"| {n.name} | {n.daily_value.amount:g} {n.daily_value.unit} | {len(n.foods)} | "
            f"{printed} | {', '.join(sources)} |"
        )
    return "\n".join(rows) + "\n"


PAGES: dict[str, list[Callable[[], str]]] = {
    "clinical-basis.md": [thresholds_table, analytes_table],
    "data-sources.md": [foods_summary, references_list],
}


def render(page: str, text: str) -> str:
    makers = iter(PAGES[page])
    return BLOCK.sub(lambda m: m[1] + next(makers)() + m[3], text)


def main(argv: list[str]) -> int:
    stale = []
    for page in PAGES:
        path = DOCS / page
        text = path.read_text("utf-8")
        new = render(page, text)
        if new != text:
            stale.append(page)
            if "--check" not in argv:
                path.write_text(new, "utf-8")
    if stale and "--check" in argv:
        print("out of date: " + ", ".join(stale) + " (run python tools/gen_docs.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
