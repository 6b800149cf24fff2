"""assess_many throughput on distinct mixed-unit panels, as a ratio to a plain-Python floor.

    python benchmarks/throughput.py [--panels N]

The floor is the least any implementation must do per panel: read each value (split the
number from its unit, fold the unit, look up its factor, convert) and compare it with the
analyte's cut points, in plain Python with no records, no rationale and no validation. Both run
in the same process on the same panels, so the ratio does not depend on the machine. The issue
12 target is a ratio of at most 7. Run by hand; never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import random
import time
from collections.abc import Callable

# Units each analyte's values are written in, with the factor to its conventional unit; a
# panel draws one of them per value, so the panels mix units as real labs do.
UNITS: dict[str, list[tuple[str, float]]] = {
    "ferritin": [("ng/mL", 1.0), ("ug/L", 1.0), ("µg/L", 1.0)],
    "tsat": [("%", 1.0)],
    "serum_iron": [("ug/dL", 1.0), ("umol/L", 5.5845)],
    "tibc": [("ug/dL", 1.0), ("umol/L", 5.5845)],
    "hemoglobin": [("g/dL", 1.0), ("g/L", 0.1), ("mmol/L", 1.61145)],
    "crp": [("mg/L", 1.0), ("mg/dL", 10.0)],
    "vitamin_b12": [("pg/mL", 1.0), ("pmol/L", 1.3554), ("ng/L", 1.0)],
    "mma": [("umol/L", 1.0), ("nmol/L", 0.001)],
    "homocysteine": [("umol/L", 1.0)],
    "vitamin_d": [("ng/mL", 1.0), ("nmol/L", 0.4006)],
    "folate": [("ng/mL", 1.0), ("nmol/L", 0.4414)],
    "rbc_folate": [("ng/mL", 1.0), ("nmol/L", 0.4414)],
    "magnesium": [("mg/dL", 1.0), ("mmol/L", 2.4305), ("mEq/L", 1.21525)],
    "plp": [("nmol/L", 1.0), ("ug/L", 4.0462)],
    "egfr": [("mL/min/1.73m2", 1.0)],
}
# Ranges in the conventional unit, for drawing realistic values.
RANGES: dict[str, tuple[float, float]] = {
    "ferritin": (2, 600), "tsat": (3, 70), "serum_iron": (10, 250), "tibc": (200, 500),
    "hemoglobin": (7, 18), "crp": (0.1, 40), "vitamin_b12": (100, 1200), "mma": (0.05, 1.5),
    "homocysteine": (4, 40), "vitamin_d": (4, 90), "folate": (1, 24),
    "rbc_folate": (80, 1200), "magnesium": (1.2, 3.0), "plp": (5, 150), "egfr": (10, 120),
}  # fmt: skip


def panels(count: int, seed: int = 20261130) -> list[dict[str, str]]:
    """Distinct full panels: every value a string with a unit drawn from UNITS, to 3-4
    significant digits (as labs print), so values rarely repeat across panels."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        panel = {}
        for analyte, (low, high) in RANGES.items():
            unit, factor = rnd.choice(UNITS[analyte])
            value = rnd.uniform(low, high) / factor
            panel[analyte] = f"{value:.4g} {unit}"
        out.append(panel)
    return out


def floor(batch: list[dict[str, str]]) -> int:
    """Parse, convert and place every value among its analyte's cut points: plain Python."""
    factors = {a: {u.lower(): f for u, f in us} for a, us in UNITS.items()}
    points = {a: [low * 1.5, (low + high) / 3, high * 0.8] for a, (low, high) in RANGES.items()}
    total = 0
    for panel in batch:
        for analyte, text in panel.items():
            number, _, unit = text.strip().partition(" ")
            value = float(number) * factors[analyte][unit.strip().lower()]
            total += bisect.bisect(points[analyte], value)
    return total


def library(batch: list[dict[str, str]]) -> int:
    import rlsnutrition as rn

    return sum(len(a.findings) for a in rn.assess_many(batch))


def best_of(fn: Callable[[list[dict[str, str]]], int], batch: list[dict[str, str]]) -> float:
    times = []
    for _ in range(5):
        gc.collect()
        start = time.perf_counter()
        fn(batch)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--panels", type=int, default=40_000)
    args = parser.parse_args()
    batch = panels(args.panels)
    library(batch[:100])  # load the knowledge outside the timing
    t_floor = best_of(floor, batch)
    t_lib = best_of(library, batch)
    n = len(batch)
    print(f"{n:,} distinct mixed-unit panels of 15 values (best of 5 runs each)")
    print(f"  plain-Python floor   {n / t_floor:10,.0f} panels/s  ({t_floor / n * 1e6:6.1f} us)")
    print(f"  rn.assess_many       {n / t_lib:10,.0f} panels/s  ({t_lib / n * 1e6:6.1f} us)")
    print(f"  ratio                {t_lib / t_floor:10.1f} x the floor (issue 12 target: <= 7)")


if __name__ == "__main__":
    main()
