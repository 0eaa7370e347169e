"""[history_length] Does a command slow down as one case's history grows? Cases of the
benchmark-only ``bench_rework`` process (benchmarks/bpmn/: one user task and a gateway that
sends it back until its decision says stop) grown by real completions to 10, 100 and 1000
completed steps; then ``claim_task`` and ``complete_task`` measured on each, cold (the
aggregate cache and the engine's live workflows cleared before each command: a case loaded
from its snapshot and the events since, as after a restart or with ``ALUR_AGGREGATE_CACHE=0``)
and warm (both caches hot), at every snapshot position. The verdict is the worst ratio to the
10-step level: over levels, commands, cache modes, and the worst snapshot position."""

from __future__ import annotations

import pickle
from collections import defaultdict
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from alur.config import PROJECT_ROOT
from benchmarks import workload
from benchmarks.context import Context
from benchmarks.stores import services_on
from benchmarks.timing import Result, median, ms, now, percentile, quiet_gc, result, say, spread
from orchestrator.application import Orchestrator
from orchestrator.commands import ClaimTask, CompleteTask

TARGET = 1.25
SNAPSHOT_EVERY = 50  # Orchestrator.snapshotting_intervals[Case]
WORST_FROM = 40  # a load that replays 40..49 events since the last snapshot: the worst ones
MODES = ("cold", "warm")
COMMANDS = ("claim", "complete")


# -- building the cases (worker processes), once for both stores --------------------------------

_BUILT: dict[tuple[int, int], bytes] = {}  # (steps, index) → the pickled, unsaved Case


def _build(pool: Executor | None, wanted: list[tuple[int, int]], version: int) -> None:
    """Grow the cases not built yet (the longest first, so that the pool's workers finish
    together), keeping them pickled: each store saves its own copy."""
    todo = sorted((w for w in wanted if w not in _BUILT), reverse=True)
    year = datetime.now(UTC).year
    args = [(index + 1000 * steps, steps, version, year) for steps, index in todo]
    if pool is None:
        workload.init_worker(str(PROJECT_ROOT / "processes"))
        cases = [workload.grow_rework(*a) for a in args]
    else:
        cases = list(pool.map(workload.grow_rework, *zip(*args, strict=True)))
    for key, case in zip(todo, cases, strict=True):
        _BUILT[key] = pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass
class Handle:
    case_id: UUID
    steps: int  # completed steps before the measuring began


@dataclass(frozen=True)
class Sample:
    level: int
    mode: str
    command: str
    since_snapshot: int  # events a cold load replays after the latest snapshot
    seconds: float


SAVE_CHUNK = 40  # events per transaction when saving a grown case (about 10 steps)


def _save_in_chunks(app: Orchestrator, case: Any) -> None:
    """Save a grown case's pending events a few steps at a time, as its commands would have
    (snapshots taken as usual): one transaction of a 1000-step case's 4000 events, each
    completion carrying the whole checkpoint (≈ 120 KB at the end), is ≈ 250 MB, which
    PostgreSQL's pipelined insert did not get through."""
    pending = list(case.pending_events)
    for first in range(0, len(pending), SAVE_CHUNK):
        case.pending_events[:] = pending[first:first + SAVE_CHUNK]
        app.save(case)


def _save_cases(app: Orchestrator, levels: list[int], cases: int) -> dict[int, list[Handle]]:
    handles: dict[int, list[Handle]] = {}
    for level in levels:
        handles[level] = []
        for index in range(cases):
            case = pickle.loads(_BUILT[(level, index)])
            _save_in_chunks(app, case)
            handles[level].append(Handle(case.id, level))
    return handles


def _one_step(app: Orchestrator, handle: Handle, level: int, mode: str) -> list[Sample]:
    """Claim, then complete the case's open task (it loops back); each command timed, cold
    ones preceded by forgetting the case."""
    samples = []
    case = app.get_case(handle.case_id)
    task = workload.the_open_task(case)
    assert task is not None
    task_id = UUID(task.task_id)
    commands = {"claim": lambda: app.claim_task(ClaimTask(case.id, task_id, workload.ACTOR)),
                "complete": lambda: workload.complete(app, CompleteTask(
                    case.id, task_id, workload.ACTOR, dict(workload.REWORK_AGAIN)))}
    version = case.version
    for command in COMMANDS:
        if mode == "cold":
            workload.make_cold(app, handle.case_id)
        began = now()
        done = commands[command]()
        samples.append(Sample(level, mode, command, version % SNAPSHOT_EVERY, now() - began))
        version = done.version
    handle.steps += 1
    return samples


def _measure(app: Orchestrator, handles: dict[int, list[Handle]], steps: int) -> list[Sample]:
    """``steps`` steps on every case, round robin over levels and cases against drift, the
    cache mode alternating step by step (each case sees both at every snapshot position)."""
    for level, level_handles in handles.items():  # warm-up, not counted
        for handle in level_handles:
            for mode in MODES:
                _one_step(app, handle, level, mode)
    samples: list[Sample] = []
    with quiet_gc():
        for step in range(steps):
            for level, level_handles in handles.items():
                for index, handle in enumerate(level_handles):
                    samples += _one_step(app, handle, level, MODES[(step + index) % 2])
    return samples


def _worst_positions(group: list[Sample]) -> list[float]:
    return [s.seconds for s in group if s.since_snapshot >= WORST_FROM]


def _figures(samples: list[Sample], levels: list[int]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per level, mode and command: the spread and the median at the worst snapshot
    positions; and the ratios to the first level (p95, and worst position's median)."""
    groups: dict[tuple[int, str, str], list[Sample]] = defaultdict(list)
    for sample in samples:
        groups[(sample.level, sample.mode, sample.command)].append(sample)
    table: dict[str, Any] = {}
    ratios: dict[str, Any] = {}
    base = levels[0]
    for (level, mode, command), group in sorted(groups.items()):
        times = [s.seconds for s in group]
        worst = [s.seconds for s in group if s.since_snapshot >= WORST_FROM] or times
        table.setdefault(str(level), {}).setdefault(mode, {})[command] = {
            **spread(times), "max_ms": ms(max(times)),
            "worst_position_p50_ms": ms(median(worst)),
            "worst_position_samples": len(worst)}
        if level == base:
            continue
        first = [s.seconds for s in groups[(base, mode, command)]]
        first_worst = [s.seconds for s in groups[(base, mode, command)]
                       if s.since_snapshot >= WORST_FROM] or first
        ratios[f"{level} {mode} {command} p95"] = round(
            percentile(times, 95) / percentile(first, 95), 3)
        ratios[f"{level} {mode} {command} worst position p50"] = round(
            median(worst) / median(first_worst), 3)
    return table, ratios


def history_length(ctx: Context) -> Result:
    scale = ctx.scale
    levels = list(scale.history_levels)
    wanted = [(level, i) for level in levels for i in range(scale.history_cases)]
    with ctx.fresh("history") as store, services_on(store) as services:
        app = services.orchestrator
        version = workload.deploy_bench_process(app, workload.REWORK)
        began = now()
        _build(ctx.pool, wanted, version)
        say(f"  history: {len(wanted)} rework cases grown to {levels} steps "
            f"({now() - began:.1f} s; kept for the next store)")
        began = now()
        handles = _save_cases(app, levels, scale.history_cases)
        events = {level: app.get_case(h[0].case_id).version for level, h in handles.items()}
        say(f"  history: saved in {now() - began:.1f} s, events per case {events}")
        samples = _measure(app, handles, scale.history_steps)
    table, ratios = _figures(samples, levels)
    worst = max(ratios, key=lambda k: ratios[k])
    say(f"  history: worst ratio {ratios[worst]} ({worst})")
    return result(
        "history_length", ctx.kind, ratio=ratios[worst],
        target=f"<= {TARGET}, worst of levels, commands, cache cold/warm, snapshot positions",
        met=ratios[worst] <= TARGET, worst=worst, ratios=ratios,
        process=workload.REWORK, snapshot_every=SNAPSHOT_EVERY,
        cases_per_level=scale.history_cases, measured_steps_per_case=scale.history_steps,
        events_per_case=events, levels=table,
        note=("a level is completed steps before measuring (each step: claim + complete);"
              f" 'worst position': loads replaying >= {WORST_FROM} events since the last"
              " snapshot; cold: aggregate cache and live workflows cleared before the command"),
    )
