"""How long ``fhir.read`` takes compared with ``json.loads`` of the same text, run by hand:
``python benchmarks/fhir_read.py``.

The baseline is measured in the same run: ``json.loads`` of the largest fixture (585 KiB, a
Bundle of Bundles for ten patients). ``fhir.read`` is given the same text, so its time includes
parsing it; the ratio is what reading FHIR costs on top of parsing JSON (target: at most 2).
Also: 16,000 conflicting results in one Bundle (once 19 s and 3.8 GB), time and peak memory;
and a 4 MiB report of 20,000 contained results referenced as ``#id`` (once 327 s).
Not part of the test suite: speed is measured here, never asserted.
"""

from __future__ import annotations

import json
import platform
import timeit
import tracemalloc
from pathlib import Path

from rlsnutrition import fhir

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fhir"


def best(fn: object, number: int, repeat: int = 7) -> float:
    """Seconds per call, the best of ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number  # type: ignore[arg-type]


def paired(base: object, other: object, number: int, rounds: int = 15) -> tuple[float, float]:
    """The best time per call of each, measured in alternation (so that a busy machine slows
    both alike): the ratio is taken in one run, against a baseline measured beside it."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for fn, out in ((base, times[0]), (other, times[1])):
            out.append(timeit.timeit(fn, number=number) / number)  # type: ignore[arg-type]
    return min(times[0]), min(times[1])


def main() -> None:
    print(f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}")
    largest = max(FIXTURES.rglob("*.json"), key=lambda p: p.stat().st_size)
    text = largest.read_text("utf-8")
    patient = "Patient/1"
    fhir.read(text, patient=patient)  # load the knowledge first
    doc = json.loads(text)
    base, read = paired(lambda: json.loads(text), lambda: fhir.read(text, patient=patient), 10)
    _, parsed = paired(lambda: json.loads(text), lambda: fhir.read(doc, patient=patient), 10)
    print(f"{largest.name} ({len(text.encode()) / 1024:.0f} KiB), patient={patient}")
    print(f"  json.loads (baseline)     {base * 1000:8.2f} ms")
    print(f"  fhir.read of the text     {read * 1000:8.2f} ms  ({read / base:.2f} x)")
    print(f"  fhir.read of the dict     {parsed * 1000:8.2f} ms  ({parsed / base:.2f} x)")

    n = 16_000
    obs = [
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
            "subject": {"reference": "Patient/1"},
            "effectiveDateTime": "2024-01-01",
            "valueQuantity": {"value": i + 1, "unit": "ng/mL"},
        }
        for i in range(n)
    ]
    conflicting = json.dumps({"resourceType": "Bundle", "entry": [{"resource": o} for o in obs]})
    base, read = paired(lambda: json.loads(conflicting), lambda: fhir.read(conflicting), 1, 3)
    tracemalloc.start()
    fhir.read(conflicting)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{n:,} conflicting ferritins ({len(conflicting) / 2**20:.1f} MiB)")
    print(f"  json.loads (baseline)     {base * 1000:8.2f} ms")
    print(f"  fhir.read of the text     {read * 1000:8.2f} ms  ({read / base:.2f} x)")
    print(f"  peak traced memory        {peak / 2**20:8.1f} MiB")

    n = 20_000  # a DiagnosticReport converted from C-CDA: every result contained, as #cN
    report = json.dumps(
        {
            "resourceType": "DiagnosticReport",
            "status": "final",
            "code": {"text": "labs"},
            "subject": {"reference": "Patient/1"},
            "contained": [{**o, "id": f"c{i}"} for i, o in enumerate(obs[:1] * n)],
            "result": [{"reference": f"#c{i}"} for i in range(n)],
        }
    )
    base, read = paired(lambda: json.loads(report), lambda: fhir.read(report), 1, 3)
    print(f"{n:,} contained results referenced as #id ({len(report) / 2**20:.1f} MiB)")
    print(f"  json.loads (baseline)     {base * 1000:8.2f} ms")
    print(f"  fhir.read of the text     {read * 1000:8.2f} ms  ({read / base:.2f} x)")


if __name__ == "__main__":
    main()
