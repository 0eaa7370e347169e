"""Profile one in-process benchmark with py-spy: ``python -m benchmarks.profile_run --store
sqlite --only engine_overhead [--quick] [--focus FUNCTION]``.

Runs ``python -m benchmarks.run`` under ``py-spy record`` (the main process only, 100 Hz,
wall clock with ``--idle``, so that waiting for the database counts), writes the raw stacks to
``benchmarks/results/<stamp>-<name>-<store>-py-spy.txt`` (collapsed: one ``a;b;c count``
line per stack; feed it to flamegraph.pl or speedscope) and prints the summary of the samples
whose stack passes through ``--focus`` (by default the benchmark's measuring function, so that
the set-up, building cases or filling a store, is left out): the top functions by own time,
Alur's own functions by total time, own time by package (``benchmarks.profiling.summary``).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import profiling

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# where each benchmark measures (a function on the stack of every measured sample)
FOCUS = {"engine_overhead": "alur_case", "history_length": "_one_step",
         "projection_rebuild": "rebuild", "store_size": "_measure",
         "checkpoint_cost": "checkpoint_cost", "scheduler_timers": "tick"}
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*):(?P<line>\d+)\)$")


def parse_raw(path: Path, focus: str) -> profiling.Stacks:
    """py-spy's raw (collapsed) stacks, root first, of the samples through ``focus``."""
    stacks: Counter[tuple[profiling.Frame, ...]] = Counter()
    for line in path.read_text().splitlines():
        text, _, count = line.rpartition(" ")
        frames = []
        for part in text.split(";"):
            match = FRAME.match(part.strip())
            if match is None:
                frames.append((part.strip(), "", 0))
            else:
                frames.append((match["function"], match["file"], int(match["line"])))
        if focus and not any(f[0] == focus or f[0].endswith(f".{focus}") for f in frames):
            continue
        stacks[tuple(frames)] += int(count)
    return dict(stacks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_run",
                                     description=__doc__)
    parser.add_argument("--store", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--only", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--focus", help="keep the samples through this function")
    args = parser.parse_args(argv)
    if not (exe := profiling.py_spy()):
        sys.exit("py-spy is not installed (pip install -e '.[bench]')")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    raw = RESULTS_DIR / f"{stamp}-{args.only}-{args.store}-py-spy.txt"
    command = [exe, "record", "--idle", "--rate", "100", "--format", "raw", "--function",
               "--full-filenames", "--output", str(raw),
               "--", sys.executable, "-m", "benchmarks.run",
               "--store", args.store, "--only", args.only,
               *(["--quick"] if args.quick else [])]
    done = subprocess.run(command, check=False)
    if not raw.exists():
        sys.exit(f"py-spy wrote nothing (exit {done.returncode})")
    focus = args.focus if args.focus is not None else FOCUS.get(args.only, "")
    summary = {"file": str(raw), "focus": focus,
               **profiling.summary(parse_raw(raw, focus), "samples")}
    print(json.dumps(summary, indent=1))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
