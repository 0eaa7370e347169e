"""[projection_rebuild] and [inbox_query] on the shared big store of the kind."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

from benchmarks.context import Context
from benchmarks.stores import RawDb, raw_db
from benchmarks.timing import (
    Result,
    median,
    ms,
    now,
    percentile,
    quiet_gc,
    result,
    say,
    spread,
    timed,
)
from benchmarks.workload import LANES
from projections.inbox import DDL

TASKS = re.compile(r"\binbox_tasks\b")
TASKS_DDL = [statement for statement in DDL if TASKS.search(statement)]  # table and indexes
REBUILD_TARGET = 0.3
INBOX_TARGET_MS = 50.0
BULK_REPEATS = 3


def _bulk_insert(db: RawDb, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert ``rows`` with one executemany in one transaction, into a table shaped
    like ``inbox_tasks`` (same columns, key and indexes), created empty beforehand."""
    table = db.table("baseline_tasks")
    db.begin()
    db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in TASKS_DDL:
        db.execute(TASKS.sub(table, statement.replace("inbox_tasks_", "baseline_tasks_")))
    db.commit()
    marks = ", ".join("?" * len(rows[0]))
    began = now()
    db.begin()
    db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    db.commit()
    return now() - began


def _rows_like(template: dict[str, Any], count: int) -> list[tuple[Any, ...]]:
    """``count`` rows shaped like a real inbox row, each with its own task and case id."""
    rows = []
    for _ in range(count):
        row = {**template, "task_id": str(uuid4()), "case_id": str(uuid4())}
        rows.append(tuple(row.values()))
    return rows


def projection_rebuild(ctx: Context) -> Result:
    bench = ctx.workbench()
    bench.grow_to_events(ctx.scale.rebuild_events)
    projections, view = bench.services.projections, bench.services.inbox.view
    say(f"  projection_rebuild: replaying {bench.events} events")
    with quiet_gc():
        began = now()
        applied = projections.rebuild("inbox")
        seconds = now() - began
    template = view.rows("SELECT * FROM inbox_tasks LIMIT 1")[0]
    rows = _rows_like(template, applied)
    with raw_db(bench.store, "baseline-bulk") as db, quiet_gc():
        bulk = [_bulk_insert(db, rows) for _ in range(BULK_REPEATS)]
    rebuild_rate, bulk_rate = applied / seconds, applied / median(bulk)
    ratio = rebuild_rate / bulk_rate
    return result(
        "projection_rebuild", ctx.kind, ratio=ratio, target=f">= {REBUILD_TARGET}",
        met=ratio >= REBUILD_TARGET, events=applied, rebuild_s=round(seconds, 2),
        rebuild_events_per_s=round(rebuild_rate), baseline_rows_per_s=round(bulk_rate),
        baseline_s=round(median(bulk), 3), baseline_repeats=BULK_REPEATS,
    )


# -- inbox_query ----------------------------------------------------------------------------

ROLE_SETS = [frozenset({lane}) for lane in LANES] + [frozenset(LANES)]
BASELINE_SQL = ("SELECT task_id, case_id, process, element_id, name, lane, state, claimed_by,"
                " due_at FROM inbox_tasks LIMIT 50")


def inbox_query(ctx: Context) -> Result:
    bench = ctx.workbench()
    bench.grow_to_open_tasks(ctx.scale.inbox_open_tasks)
    services = bench.services
    began = now()
    caught_up = services.projections.catch_up()
    catch_up_s = now() - began
    inbox, view = services.inbox.inbox, services.inbox.view
    by_lane = {r["lane"]: r["n"] for r in view.rows(
        "SELECT lane, COUNT(*) AS n FROM inbox_tasks WHERE state = 'ready' GROUP BY lane")}
    for roles in ROLE_SETS:  # warm-up, and a check that the inbox is really full
        if not inbox(roles, "bench-reader"):
            raise RuntimeError(f"empty inbox for {sorted(roles)}")
        view.rows(BASELINE_SQL)
    times: dict[str, list[float]] = {"inbox": [], "pelapor": [], "baseline": []}
    with quiet_gc():
        for i in range(ctx.scale.inbox_queries):  # interleaved against drift
            roles = ROLE_SETS[i % len(ROLE_SETS)]
            took = timed(lambda r=roles: inbox(r, "bench-reader"))
            times["inbox"].append(took)
            if roles == ROLE_SETS[0]:
                times["pelapor"].append(took)
            times["baseline"].append(timed(lambda: view.rows(BASELINE_SQL)))
    p95 = percentile(times["inbox"], 95)
    return result(
        "inbox_query", ctx.kind, ratio=p95 / percentile(times["baseline"], 95),
        target=f"p95 < {INBOX_TARGET_MS:g} ms", met=p95 * 1000 < INBOX_TARGET_MS,
        p95_ms=ms(p95), open_tasks=sum(by_lane.values()), ready_by_lane=by_lane,
        inbox=spread(times["inbox"]), inbox_pelapor_only=spread(times["pelapor"]),
        baseline=spread(times["baseline"]), catch_up_events=caught_up,
        catch_up_s=round(catch_up_s, 2),
        role_sets=[sorted(r) for r in ROLE_SETS],
    )
