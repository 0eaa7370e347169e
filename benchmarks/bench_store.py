"""[store_size]: does a command slow down as the store grows? A ratio of p95 latencies against
the smallest size, same run. (history_length, one case's history: bench_history.py.)"""

from __future__ import annotations

import random
from contextlib import ExitStack

from benchmarks import workload
from benchmarks.context import Context
from benchmarks.timing import Result, now, percentile, quiet_gc, result, say, spread, timed
from benchmarks.workbench import Workbench

TARGET = 1.25


def _pairs(bench: Workbench, rng: random.Random, count: int) -> list[float]:
    """Claim+release pairs on random cases with an open task."""
    app, times = bench.app, []
    for _ in range(count):
        case = bench.random_open(rng)
        times.append(timed(lambda c=case: workload.claim_release(app, *c)))
    return times


def _completes(bench: Workbench, rng: random.Random, count: int) -> list[float]:
    """``complete_task`` on random open tasks (the engine's restore/run/checkpoint included)."""
    times = []
    for _ in range(count):
        case_id, _task_id = bench.random_open(rng)
        task = workload.the_open_task(bench.app.get_case(case_id))
        assert task is not None
        times.append(timed(lambda c=case_id, t=task: workload.complete_step(bench.app, c, t)))
        bench.refresh(case_id)
    return times


def _starts(bench: Workbench, count: int) -> list[float]:
    """``start_case`` (registration number, service deadline, engine start)."""
    times = []
    for _ in range(count):
        began = now()
        case_id = workload.start(bench.app, -1)
        times.append(now() - began)
        bench.adopt(case_id)
    return times


ROUND = {"pair": 5, "complete": 2, "start": 1}  # commands of each kind per store per round


def _measure(bench: Workbench, rng: random.Random, name: str, count: int) -> list[float]:
    if name == "pair":
        return _pairs(bench, rng, count)
    if name == "complete":
        return _completes(bench, rng, count)
    return _starts(bench, count)


def _stores(ctx: Context, stack: ExitStack) -> list[Workbench]:
    """One store per level, all alive at once: the smaller ones of their own (closed after
    this benchmark), the largest the shared store (grown further by the rebuild and inbox
    benchmarks)."""
    levels = ctx.scale.store_levels
    benches = [stack.enter_context(ctx.extra_workbench(f"size{n}")) for n in levels[:-1]]
    benches.append(ctx.workbench())
    for bench, level in zip(benches, levels, strict=True):
        bench.grow_to_events(level)
    return benches


def _round_robin(benches: list[Workbench], rounds: int) -> list[dict[str, list[float]]]:
    rng = random.Random(1093)
    for bench in benches:  # warm-up
        for name, count in ROUND.items():
            _measure(bench, rng, name, count * 4)
    samples: list[dict[str, list[float]]] = [{name: [] for name in ROUND} for _ in benches]
    with quiet_gc():
        for _ in range(rounds):  # against drift: every store sees the same moments
            for bench, store_samples in zip(benches, samples, strict=True):
                for name, count in ROUND.items():
                    store_samples[name] += _measure(bench, rng, name, count)
    return samples


def store_size(ctx: Context) -> Result:
    with ExitStack() as stack:
        benches = _stores(ctx, stack)
        events = [bench.events for bench in benches]
        samples = _round_robin(benches, ctx.scale.store_rounds)
    first, last = samples[0], samples[-1]
    ratios = {name: round(percentile(last[name], 95) / percentile(first[name], 95), 3)
              for name in ROUND}
    worst = max(ratios, key=lambda name: ratios[name])
    say("  store_size: p95 ratios " + ", ".join(f"{k} {v}" for k, v in ratios.items()))
    return result(
        "store_size", ctx.kind, ratio=ratios[worst],
        target=f"p95 ratio <= {TARGET}, each command", met=ratios[worst] <= TARGET,
        worst_command=worst, p95_ratios=ratios,
        commands={"pair": "claim+release", "complete": "complete_task",
                  "start": "start_case"},
        levels=[{"events": n, **{name: spread(times) for name, times in store.items()}}
                for n, store in zip(events, samples, strict=True)],
    )
