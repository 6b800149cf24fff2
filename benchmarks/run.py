"""Benchmarks for rlsnutrition, run by hand: ``python benchmarks/run.py``.

Prints every figure with the machine it ran on. Medians of repeated runs; cold figures run a
fresh interpreter each time. Not part of the test suite: speed is measured here, never asserted.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import timeit
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "fixtures" / "fhir"

PANEL_NUMBERS: dict[str, object] = {
    "ferritin": 45, "tsat": 18, "serum_iron": 60, "tibc": 380, "hemoglobin": 12.5, "crp": 3,
    "vitamin_b12": 250, "mma": 0.3, "homocysteine": 12, "vitamin_d": 18, "folate": 5,
    "rbc_folate": 300, "magnesium": 1.9, "plp": 25, "egfr": 80,
}  # fmt: skip
PANEL_STRINGS: dict[str, object] = {
    "ferritin": "45 ug/L", "tsat": "18 %", "serum_iron": "10.7 umol/L", "tibc": "68 umol/L",
    "hemoglobin": "125 g/L", "crp": "0.3 mg/dL", "vitamin_b12": "185 pmol/L",
    "mma": "300 nmol/L", "homocysteine": "12 umol/L", "vitamin_d": "45 nmol/L",
    "folate": "11 nmol/L", "rbc_folate": "680 nmol/L", "magnesium": "0.78 mmol/L",
    "plp": "6 ug/L", "egfr": "80 mL/min/1.73m2",
}  # fmt: skip


# Value ranges and the resolution labs report them in, for generating realistic panels.
RANGES: dict[str, tuple[float, float, int]] = {
    "ferritin": (2, 600, 0), "tsat": (3, 70, 0), "serum_iron": (10, 250, 0),
    "tibc": (200, 500, 0), "hemoglobin": (7, 18, 1), "crp": (0.1, 40, 1),
    "vitamin_b12": (100, 1200, 0), "mma": (0.05, 1.5, 2), "homocysteine": (4, 40, 1),
    "vitamin_d": (4, 90, 0), "folate": (1, 24, 1), "rbc_folate": (80, 1200, 0),
    "magnesium": (1.2, 3.0, 1), "plp": (5, 150, 0), "egfr": (10, 120, 0),
}  # fmt: skip


def realistic_panels(count: int, *, exact: bool) -> list[dict[str, object]]:
    """Full panels with values drawn across each analyte's range; ``exact`` keeps every digit
    (so no two values repeat), otherwise values are rounded as labs report them."""
    rnd = random.Random(20261125)
    panels = []
    for _ in range(count):
        panel: dict[str, object] = {}
        for analyte, (low, high, digits) in RANGES.items():
            value = rnd.uniform(low, high)
            panel[analyte] = value if exact else round(value, digits)
        panels.append(panel)
    return panels


def clear_memos() -> None:
    """Forget remembered findings and parsed values, so a run starts cold."""
    from rlsnutrition import _knowledge, _panel, _parse, _rules

    for memos in _parse._memo.values():  # one dict per units, kept
        memos.clear()
    _panel.panel_for(_rules.rules_for(_knowledge.knowledge())).memo.clear()


_kept: list[object] = []  # the last run's results, freed before the next run, untimed


def _cold_memos_gc_on() -> None:
    # timeit turns the garbage collector off while timing; an app runs with it on.
    _kept.clear()
    clear_memos()
    gc.enable()


def _assess_all(panels: list[Any], consume: Callable[[Iterator[Any]], object]) -> None:
    import rlsnutrition as rn

    _kept.append(consume(rn.assess_many(panels)))


def _stream(results: Iterator[object]) -> None:
    """Consume results one at a time, as an app writing each out would."""
    collections.deque(results, maxlen=0)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()} | {cpu} | {os.cpu_count()} cores | "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def cold_once(code: str) -> float:
    """Wall time of a fresh interpreter running ``code``, in ms."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; t=time.perf_counter(); " + code + "; print(time.perf_counter()-t)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def cold(codes: list[str], runs: int) -> list[float]:
    """Median cold time of each of ``codes``, in ms. The codes take turns, run by run, so a
    busy spell on a shared machine falls on all of them alike."""
    times: list[list[float]] = [[] for _ in codes]
    for _ in range(runs):
        for code, t in zip(codes, times, strict=True):
            t.append(cold_once(code))
    return [statistics.median(t) for t in times]


def warm(fn: Callable[[], object], number: int, repeat: int = 7) -> float:
    """Median time of one call, in µs."""
    timer = timeit.Timer(fn)
    return statistics.median(t / number * 1e6 for t in timer.repeat(repeat, number))


def lookups_against_floors(rn: Any, n: Callable[[int], int]) -> None:
    """Lookups as ratios to the plain-Python work they cannot avoid, measured in this run; the
    "did you mean" suggestions also against rebuilding their candidates per call (as 0.1 did)."""
    import difflib

    from rlsnutrition._normalize import normalize_name

    index = {n.id: n for n in rn.nutrients()}
    foods = {("iron", "vegan"): rn.foods_rich_in("iron", diet="vegan")}
    floor_get = warm(lambda: index.get("iron"), n(200_000))
    floor_foods = warm(lambda: foods["iron", "vegan"][:5], n(200_000))

    def suggest() -> None:
        with contextlib.suppress(rn.UnknownNutrientError):
            rn.lookup_nutrient("magnesum")

    def suggest_rebuilding() -> None:
        shown: dict[str, str] = {}
        for nut in rn.nutrients():
            for name in (nut.id, nut.name, *nut.aliases, *nut.forms):
                shown.setdefault(normalize_name(name), name)
        difflib.get_close_matches(normalize_name("magnesum"), shown, n=3, cutoff=0.6)

    w_get = warm(lambda: rn.lookup_nutrient("iron"), n(200_000))
    w_foods = warm(lambda: rn.foods_rich_in("iron", limit=5, diet="vegan"), n(200_000))
    w_suggest = warm(suggest, n(2_000))
    w_rebuild = warm(suggest_rebuilding, n(2_000))
    print("lookups against plain-Python floors measured in this run")
    print(
        f"  lookup_nutrient('iron')                 {w_get:8.2f} us  "
        f"({w_get / floor_get:.1f}x dict.get {floor_get:.3f} us)"
    )
    print(
        f"  foods_rich_in('iron', limit=5, vegan)   {w_foods:8.2f} us  "
        f"({w_foods / floor_foods:.1f}x a dict hit and a slice {floor_foods:.3f} us)"
    )
    print(
        f"  unknown name with suggestions           {w_suggest:8.2f} us  "
        f"({w_rebuild / w_suggest:.1f}x faster than rebuilding candidates per call, "
        f"{w_rebuild:.1f} us)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    runs = 5 if args.quick else 21
    scale = 0.1 if args.quick else 1.0

    import rlsnutrition as rn
    from rlsnutrition import fhir

    print(f"rlsnutrition {rn.__version__} | knowledge {rn.knowledge_info().version}")
    print(f"machine: {machine()}")
    print()

    # Warm up the import machinery's caches so both cold figures are measured alike.
    first_lookup = "import rlsnutrition; rlsnutrition.lookup_nutrient('iron')"
    cold(["import cattrs", first_lookup], 2)
    c_cattrs, c_import, c_first = cold(["import cattrs", "import rlsnutrition", first_lookup], runs)
    print(
        f"cold (fresh interpreter, median of {runs} interleaved runs; target: first lookup <= 1.1x cattrs; all Pythons: cold_start.py)"
    )
    print(f"  import cattrs                           {c_cattrs:8.1f} ms")
    print(
        f"  import rlsnutrition                     {c_import:8.1f} ms  ({c_import / c_cattrs:.2f}x cattrs)"
    )
    print(
        f"  import rlsnutrition + first lookup      {c_first:8.1f} ms  ({c_first / c_cattrs:.2f}x cattrs)"
    )
    print()

    rn.lookup_nutrient("iron")

    def n(k: int) -> int:
        return max(1, int(k * scale))

    w_lookup = warm(lambda: rn.lookup_nutrient("B-12"), n(200_000))
    w_lookup_id = warm(lambda: rn.lookup_nutrient("iron"), n(200_000))
    w_foods = warm(lambda: rn.foods_rich_in("iron", limit=5, diet="vegan"), n(200_000))
    one = {"ferritin": 45}
    w_one = warm(lambda: rn.assess(one), n(20_000))
    w_full_n = warm(lambda: rn.assess(PANEL_NUMBERS), n(5_000))
    w_full_s = warm(lambda: rn.assess(PANEL_STRINGS), n(5_000))
    result = rn.assess(PANEL_STRINGS)
    w_json = warm(result.to_json, n(5_000))
    print("warm (median per call; targets: lookup <= 1 us, foods <= 3 us, full panel <= 30 us)")
    print(f"  lookup_nutrient('B-12')                 {w_lookup:8.2f} us")
    print(f"  lookup_nutrient('iron')                 {w_lookup_id:8.2f} us")
    print(f"  foods_rich_in('iron', limit=5, vegan)   {w_foods:8.2f} us")
    print(f"  assess, 1 analyte                       {w_one:8.2f} us")
    print(f"  assess, 15 analytes as numbers          {w_full_n:8.2f} us")
    print(f"  assess, 15 analytes as unit strings     {w_full_s:8.2f} us")
    print(f"  Assessment.to_json()                    {w_json:8.2f} us")
    print()
    lookups_against_floors(rn, n)

    print()
    count = int(20_000 * scale)
    print(f"assess_many throughput, one core ({count:,} panels each; target >= 30,000 panels/s)")
    print("  garbage collector on, as in an app; best of 5 runs, each starting with empty memos")
    repeated = [PANEL_NUMBERS, PANEL_STRINGS, {"ferritin": 20}, {"b12": 250}] * (count // 4)
    for label, panels in (
        ("the same 4 panels repeated", repeated),
        ("distinct panels, lab resolution", realistic_panels(count, exact=False)),
        ("distinct panels, all values unique", realistic_panels(count, exact=True)),
    ):
        for keep, consume in (("streamed", _stream), ("kept in a list", list)):
            timings = timeit.repeat(
                functools.partial(_assess_all, panels, consume),
                setup=_cold_memos_gc_on,
                number=1,
                repeat=5,
            )
            best = min(timings)
            print(
                f"  {label + ', ' + keep:<52} {len(panels) / best:8,.0f} panels/s"
                f"  ({best / len(panels) * 1e6:5.1f} us per panel)"
            )
    print()

    largest = max(FIXTURES.rglob("*.json"), key=lambda p: p.stat().st_size)
    text = largest.read_text("utf-8")
    doc = json.loads(text)
    patient = None
    try:
        fhir.read(doc)
    except fhir.FhirError:
        patient = "Patient/1"
    w_fhir = warm(lambda: fhir.read(doc, patient=patient), n(20), repeat=5)
    print(f"FHIR: read {largest.name} ({largest.stat().st_size / 1024:.0f} KiB, parsed dict)")
    print(f"  fhir.read                               {w_fhir / 1000:8.2f} ms")
    print()

    from rlsnutrition import _knowledge

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    loaded = _knowledge.load()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(s.size_diff for s in after.compare_to(before, "filename"))
    print(f"memory of the loaded knowledge (tracemalloc): {size / 1024:.0f} KiB")
    del loaded


if __name__ == "__main__":
    main()
