"""Regenerate the data-driven parts of docs/ from the packaged knowledge.

    python tools/gen_docs.py          # rewrite the generated sections in place
    python tools/gen_docs.py --check  # exit 1 if any generated section is out of date

Each page keeps hand-written prose; only the text between ``<!-- BEGIN GENERATED -->`` and
``<!-- END GENERATED -->`` is replaced. The test suite runs ``--check`` so docs never drift.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from rlsnutrition._knowledge import Knowledge, knowledge
from rlsnutrition._normalize import normalize_unit
from rlsnutrition.model import Reference

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"(<!-- BEGIN GENERATED -->\n)(.*?)(<!-- END GENERATED -->)", re.DOTALL)


def _cite(refs: tuple[Reference, ...]) -> str:
    return "; ".join(f"[{r.id}](data-sources.md#{r.id})" for r in refs)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def thresholds_table(k: Knowledge) -> str:
    rows = [
        "| id | analyte | holds when | as also published | in default unit | means | population "
        "| sources |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in k.thresholds.values():
        analyte = k.analyte_index[t.analyte]
        spec = k.unit_index[t.analyte, normalize_unit(t.unit)]
        default = f"{t.value * spec.factor:.4g} {analyte.default_unit}"
        published = ", ".join(f"{t.comparator} {e.value:g} {e.unit}" for e in t.equivalents) or "—"
        rows.append(
            f"| `{t.id}` | {t.analyte} | {t.comparator} {t.value:g} {t.unit} | {published} | "
            f"{default} | {_cell(t.meaning)} | {_cell(t.population)} | {_cite(t.references)} |"
        )
    return "\n".join(rows) + "\n"


def analytes_table(k: Knowledge) -> str:
    rows = [
        "| analyte | default unit | other units (factor to default) | LOINC |",
        "|---|---|---|---|",
    ]
    for a in k.analytes:
        others = ", ".join(f"{u.unit} (×{u.factor:g})" for u in a.units[1:]) or "—"
        rows.append(f"| `{a.id}` | {a.default_unit} | {others} | {', '.join(a.loinc)} |")
    return "\n".join(rows) + "\n"


def references_list(k: Knowledge) -> str:
    used: dict[str, list[str]] = {}
    for n in k.nutrients:
        for r in n.references:
            used.setdefault(r.id, []).append(f"nutrients/{n.id}.json")
    for name, refs in (
        ("analytes.json", [r for a in k.analytes for r in a.references]),
        ("thresholds.json", [r for t in k.thresholds.values() for r in t.references]),
        ("rls_factors.json", [r for f in k.factors for r in f.references]),
    ):
        for r in refs:
            if name not in used.setdefault(r.id, []):
                used[r.id].append(name)
    lines = []
    for ref in sorted(k.references.values(), key=lambda r: r.id):
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


def foods_summary(k: Knowledge) -> str:
    rows = ["| nutrient | Daily Value | foods | with printed %DV | sources of the food rows |",
            "|---|---|---|---|---|"]  # fmt: skip
    for n in k.nutrients:
        sources = sorted({r.id for f in n.foods for r in f.references})
        printed = sum(f.percent_dv is not None for f in n.foods)
        rows.append(
            f"| {n.name} | {n.daily_value.amount:g} {n.daily_value.unit} | {len(n.foods)} | "
            f"{printed} | {', '.join(sources)} |"
        )
    return "\n".join(rows) + "\n"


PAGES: dict[str, list[Callable[[Knowledge], str]]] = {
    "clinical-basis.md": [thresholds_table, analytes_table],
    "data-sources.md": [foods_summary, references_list],
}


def render(page: str, text: str, k: Knowledge) -> str:
    makers = iter(PAGES[page])
    return BLOCK.sub(lambda m: m[1] + next(makers)(k) + m[3], text)


def main(argv: list[str]) -> int:
    k = knowledge()
    stale = []
    for page in PAGES:
        path = DOCS / page
        text = path.read_text("utf-8")
        new = render(page, text, k)
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
