"""[checkpoint_cost] on the shared big store: what signing the store's Merkle root costs.

A first checkpoint (and ``verify --against``) reads and hashes every stored record; later ones
start from the last frontier and read only the records stored since, plus a fixed cost (the
last checkpoint's row and signature, the file's last line, one signature, one fsync). The
baseline is reading the same records with ``select_notifications``, interleaved."""

from __future__ import annotations

from benchmarks.context import Context
from benchmarks.timing import Result, median, ms, now, quiet_gc, result, say, timed
from orchestrator.checkpoint_store import CheckpointTables, stored_leaves

TARGET = 0.5  # hashing and indexing a record costs at most as much as reading it
REPEATS = 3


def _scan(recorder: object) -> int:
    """Read every record, as the checkpoint does, without hashing it."""
    count, start = 0, 1
    while batch := recorder.select_notifications(start, 1000):  # type: ignore[attr-defined]
        count += len(batch)
        start = batch[-1].id + 1
    return count


def _forget(tables: CheckpointTables) -> None:
    """Empty the checkpoint tables, so that the next checkpoint is a first one again."""
    with tables.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"DELETE FROM {tables.checkpoints}")
        cursor.execute(f"DELETE FROM {tables.leaves_table}")


def checkpoint_cost(ctx: Context) -> Result:
    bench = ctx.workbench()
    bench.grow_to_events(ctx.scale.rebuild_events)
    anchor = bench.services.anchor()
    recorder = anchor.recorder
    say(f"  checkpoint_cost: {bench.events} events")
    firsts, scans, checks, again = [], [], [], []
    with quiet_gc():
        for _ in range(REPEATS):  # interleaved against drift
            _forget(anchor.tables)
            anchor.path.unlink(missing_ok=True)
            began = now()
            checkpoint = anchor.write()
            firsts.append(now() - began)
            scans.append(timed(lambda: _scan(recorder)))
            assert checkpoint is not None
            checks.append(timed(lambda c=checkpoint: anchor.check(c)))
            again.append(timed(anchor.write))  # nothing new: the fixed cost per checkpoint
    records = sum(1 for _ in stored_leaves(recorder))
    first_rate, scan_rate = records / median(firsts), records / median(scans)
    ratio = first_rate / scan_rate
    return result(
        "checkpoint_cost", ctx.kind, ratio=ratio, target=f">= {TARGET}", met=ratio >= TARGET,
        records=records, first_checkpoint_s=round(median(firsts), 3),
        first_records_per_s=round(first_rate), scan_records_per_s=round(scan_rate),
        verify_s=round(median(checks), 3), verify_records_per_s=round(records / median(checks)),
        next_checkpoint_ms=ms(median(again)), repeats=REPEATS,
    )
