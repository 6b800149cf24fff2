"""``assess_frame`` against ``assess_many`` on the same panels, run by hand:
``python benchmarks/frame.py`` (needs the pandas extra).

Prints rows per second for each and their ratio, measured in the same run (the machine is
shared and noisy: only the ratio is comparable across runs). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import gc
import random
import time
from collections.abc import Callable

import pandas as pd
from run import clear_memos  # benchmarks/run.py, beside this file

import rlsnutrition as rn
from rlsnutrition.frame import assess_frame

# Each analyte's range, in its default unit, and the significant digits labs report.
RANGES: dict[str, tuple[float, float]] = {
    "ferritin": (2, 600), "tsat": (3, 70), "serum_iron": (10, 250), "tibc": (200, 500),
    "hemoglobin": (7, 18), "crp": (0.1, 40), "vitamin_b12": (100, 1200), "mma": (0.05, 1.5),
    "homocysteine": (4, 40), "vitamin_d": (4, 90), "folate": (1, 24), "rbc_folate": (80, 1200),
    "magnesium": (1.2, 3.0), "plp": (5, 150), "egfr": (10, 120),
}  # fmt: skip


def panels(count: int, *, mixed_units: bool, exact: bool) -> list[dict[str, object]]:
    """Distinct full panels: with ``mixed_units`` each value is a string in a unit drawn from
    those its analyte accepts (``"18.5 nmol/L"``), else a number in the default unit; values
    are rounded to 3 significant digits as labs report them unless ``exact``."""
    rnd = random.Random(20261130)
    out = []
    for _ in range(count):
        panel: dict[str, object] = {}
        for analyte, (low, high) in RANGES.items():
            value = rnd.uniform(low, high)
            if mixed_units:
                spec = rnd.choice(rn.lookup_analyte(analyte).units)
                number = value / spec.factor
                panel[analyte] = f"{number!r} {spec.unit}" if exact else f"{number:.3g} {spec.unit}"
            else:
                panel[analyte] = value if exact else float(f"{value:.3g}")
        out.append(panel)
    return out


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings, with the garbage collector on and memos cold."""
    times = []
    for _ in range(runs):
        clear_memos()
        gc.collect()
        gc.enable()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rn.assess({"ferritin": 1})  # load the knowledge outside the timings
    print(f"rlsnutrition {rn.__version__} | pandas {pd.__version__} | {args.rows:,} rows each")
    print("best of", args.runs, "runs, garbage collector on; assess_many streamed\n")
    print(f"{'panels':<46} {'assess_many':>12} {'assess_frame':>13} {'ratio':>7}")
    for label, mixed, exact in (
        ("distinct, mixed units (strings), lab resolution", True, False),
        ("distinct, mixed units (strings), every digit", True, True),
        ("distinct, numbers in default units, lab resol.", False, False),
        ("distinct, numbers in default units, every digit", False, True),
    ):
        batch = panels(args.rows, mixed_units=mixed, exact=exact)
        df = pd.DataFrame(batch)
        many = best_of(args.runs, lambda b=batch: collections.deque(rn.assess_many(b), maxlen=0))
        frame = best_of(args.runs, lambda d=df: assess_frame(d))
        r_many, r_frame = args.rows / many, args.rows / frame
        print(f"{label:<46} {r_many:>10,.0f}/s {r_frame:>11,.0f}/s {r_frame / r_many:>6.1f}x")


if __name__ == "__main__":
    main()
