"""Run the benchmarks: ``python -m benchmarks.run [--quick] [--store sqlite|postgres|both]
[--only NAME]``. Writes ``benchmarks/results/<timestamp>.json`` and prints a summary."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from alur.config import PROJECT_ROOT
from benchmarks import report, workload
from benchmarks.bench_checkpoint import checkpoint_cost
from benchmarks.bench_engine import engine_overhead
from benchmarks.bench_history import history_length
from benchmarks.bench_http import http_completions, http_instances
from benchmarks.bench_login_flood import login_flood
from benchmarks.bench_projection import inbox_query, projection_rebuild
from benchmarks.bench_scheduler import scheduler_timers
from benchmarks.bench_storage import storage_per_case
from benchmarks.bench_store import store_size
from benchmarks.context import FULL, QUICK, Context, Scale
from benchmarks.stores import KINDS, postgres_reachable, postgres_url
from benchmarks.timing import Result, now, say

Benchmark = Callable[[Context], Result]
# history_length runs on a store of its own; the last three share one growing store.
# http_completions runs before that store exists: its server processes hold about 75
# PostgreSQL connections, the shared store 20 more (see README)
BENCHMARKS: dict[str, Benchmark] = {
    "engine_overhead": engine_overhead,
    "http_completions": http_completions,
    "http_instances": http_instances,
    "history_length": history_length,
    "store_size": store_size,
    "projection_rebuild": projection_rebuild,
    "inbox_query": inbox_query,
    "login_flood": login_flood,
    "checkpoint_cost": checkpoint_cost,
    "scheduler_timers": scheduler_timers,
    "storage_per_case": storage_per_case,
}
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (about 2 minutes)")
    parser.add_argument("--store", choices=[*KINDS, "both"], default="both")
    parser.add_argument("--only", metavar="NAME", action="append", choices=list(BENCHMARKS),
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="worker processes that build fill cases (0: in this process)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target is missed")
    return parser.parse_args(argv)


def _kinds(choice: str, pg_url: str, skipped: list[dict[str, str]]) -> list[str]:
    kinds = list(KINDS) if choice == "both" else [choice]
    if "postgres" in kinds and (reason := postgres_reachable(pg_url)):
        if choice == "postgres":
            sys.exit(f"PostgreSQL at ALUR_BENCH_POSTGRES_URL is not reachable: {reason}")
        say(f"skipping PostgreSQL: {reason}")
        skipped.append({"store": "postgres", "reason": reason})
        kinds.remove("postgres")
    return kinds


def _pool(jobs: int) -> Executor | None:
    if jobs <= 0:
        return None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=workload.init_worker,
                               initargs=(str(PROJECT_ROOT / "processes"),))


def _run_one(name: str, ctx: Context) -> Result:
    say(f"{name} on {ctx.kind} ({ctx.scale.mode})")
    began = now()
    try:
        outcome = BENCHMARKS[name](ctx)
    except Exception as exc:  # one broken benchmark must not hide the others
        traceback.print_exc()
        outcome = {"name": name, "store": ctx.kind, "error": f"{type(exc).__name__}: {exc}",
                   "met": False}
    outcome["wall_s"] = round(now() - began, 1)
    say(f"{name} on {ctx.kind}: done in {outcome['wall_s']} s")
    return outcome


def run(names: list[str], kinds: list[str], scale: Scale, pg_url: str,
        pool: Executor | None) -> list[Result]:
    results = []
    for kind in kinds:
        ctx = Context(kind, scale, pg_url, pool)
        try:
            results += [_run_one(name, ctx) for name in names]
        finally:
            ctx.close()
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scale, pg_url = (QUICK if args.quick else FULL), postgres_url()
    names = [n for n in BENCHMARKS if not args.only or n in args.only]
    skipped: list[dict[str, str]] = []
    kinds = _kinds(args.store, pg_url, skipped)
    started_at, began = datetime.now(UTC), now()
    pool = _pool(args.jobs)
    try:
        results = run(names, kinds, scale, pg_url, pool)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    document = report.document(results, scale, started_at, now() - began, skipped)
    path = report.write(document, RESULTS_DIR, started_at)
    print(report.summary(document))
    print(f"results: {path}")
    failed = any("error" in r for r in results)
    missed = any(r["met"] is False for r in results)  # None: not applicable to the store
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
