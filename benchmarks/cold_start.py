"""Cold start on every supported Python, run by hand: ``python benchmarks/cold_start.py``.

Builds the wheel once, installs it into a fresh virtual environment per Python 3.10-3.13 found
on the machine (``--python`` to choose), and times fresh interpreters, taking turns run by
run so that a busy spell falls on all alike:

- ``import cattrs`` (the baseline, in the same environment);
- ``import rlsnutrition`` + a first lookup (target: at most 1.1x the baseline);
- the command line's ``lookup`` path: ``rlsnutrition.cli.main(["lookup", "iron"])``.

The installed wheel holds the generated knowledge module, compiled to bytecode by pip, as a
user's install would. Medians of ``--runs`` runs; speed is reported here, never asserted.
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "import cattrs": "import cattrs",
    "import rlsnutrition + first lookup": "import rlsnutrition; rlsnutrition.lookup_nutrient('iron')",
    "CLI lookup (main)": (
        "import contextlib, io, rlsnutrition.cli as c\n"
        "with contextlib.redirect_stdout(io.StringIO()): c.main(['lookup', 'iron'])"
    ),
}


def interpreters(chosen: list[str]) -> list[str]:
    if chosen:
        return chosen
    found = []
    for minor in (10, 11, 12, 13):
        paths = sorted(glob.glob(f"/root/.pyenv/versions/3.{minor}.*/bin/python3.{minor}"))
        found.append(paths[-1] if paths else f"python3.{minor}")
    return found


def _quiet(command: list[str]) -> None:
    """Run ``command``, showing its output only if it fails."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def build_wheel(out: Path) -> Path:
    _quiet([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)])
    return next(out.glob("rlsnutrition-*.whl"))


def venv_with(python: str, wheel: Path, where: Path) -> Path | None:
    try:
        subprocess.run([python, "-m", "venv", str(where)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    exe = where / "bin" / "python"
    _quiet([str(exe), "-m", "pip", "install", "-q", str(wheel)])
    return exe


def cold_once(exe: Path, code: str) -> float:
    timed = "import time; t=time.perf_counter()\n" + code + "\nprint(time.perf_counter()-t)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run(
        [str(exe), "-c", timed], capture_output=True, text=True, check=True, env=env, cwd="/"
    )
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=41, help="runs per case (median)")
    parser.add_argument("--python", action="append", default=[], help="an interpreter to use")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rlsnutrition-cold-") as tmp:
        wheel = build_wheel(Path(tmp) / "dist")
        print(f"wheel: {wheel.name}; {args.runs} interleaved runs per case, medians")
        for python in interpreters(args.python):
            exe = venv_with(python, wheel, Path(tmp) / Path(python).name)
            if exe is None:
                print(f"{python}: not available")
                continue
            version = subprocess.run(
                [exe, "-c", "import sys; print(sys.version.split()[0])"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            for code in CASES.values():  # warm the OS file cache
                cold_once(exe, code)
            times: dict[str, list[float]] = {name: [] for name in CASES}
            for _ in range(args.runs):
                for name, code in CASES.items():
                    times[name].append(cold_once(exe, code))
            base = statistics.median(times["import cattrs"])
            print(f"Python {version}")
            for name, runs in times.items():
                med = statistics.median(runs)
                print(f"  {name:<38} {med:7.1f} ms  {med / base:5.2f}x import cattrs")


if __name__ == "__main__":
    main()
