"""Where checkpoints are kept: a file outside the event store (one JSON line each, for the
operator to back up or send elsewhere) and two tables of their own in the store's database.

``alur_checkpoints`` holds each signed head with the tree's right frontier, so the next
checkpoint hashes only the records stored since. ``alur_checkpoint_leaves`` is a leaf index
(notification id, originator, version, topic, SHA-256 of the state): it recomputes the same
root, so a signed head authenticates it, and it names the first record that differs when the
log no longer matches. Neither table is trusted: both are checked against a signature.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresDatastore

from orchestrator.anchoring import (
    BadCheckpoint,
    Checkpoint,
    Frontier,
    TreeHead,
    leaf_data_from_digest,
    leaf_hash,
)

READ_BATCH = 1000
DDL = (
    "CREATE TABLE IF NOT EXISTS {checkpoints} ("
    " size BIGINT NOT NULL, last_id BIGINT NOT NULL, root TEXT NOT NULL, time TEXT NOT NULL,"
    " public_key TEXT NOT NULL, signature TEXT NOT NULL, frontier TEXT NOT NULL,"
    " PRIMARY KEY (size, time))",
    "CREATE TABLE IF NOT EXISTS {leaves} ("
    " notification_id BIGINT PRIMARY KEY, originator_id TEXT NOT NULL,"
    " originator_version BIGINT NOT NULL, topic TEXT NOT NULL, state_sha256 TEXT NOT NULL)",
)


class Leaf(NamedTuple):  # a tuple: made once per stored record on every pass
    """One stored record as the tree sees it."""

    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    state_sha256: bytes

    def hash(self) -> bytes:
        return leaf_hash(leaf_data_from_digest(self.notification_id, self.originator_id,
                                               self.originator_version, self.topic,
                                               self.state_sha256))

    def describe(self) -> str:
        """``notification 57 → <originator> v5 (Case.TaskCompleted)``."""
        kind = self.topic.rpartition(":")[2] or self.topic
        return (f"notification {self.notification_id} → {self.originator_id} "
                f"v{self.originator_version} ({kind})")


def stored_leaves(recorder: ApplicationRecorder, after: int = 0,
                  stop: int | None = None) -> Iterator[Leaf]:
    """Every stored record after notification ``after`` (up to ``stop``), in log order."""
    start = after + 1
    while batch := recorder.select_notifications(start, READ_BATCH, stop=stop):
        for n in batch:
            yield Leaf(n.id, str(n.originator_id), n.originator_version, n.topic,
                       hashlib.sha256(n.state).digest())
        start = batch[-1].id + 1


class CheckpointTables:
    """The two tables, on SQLite or PostgreSQL (in the store's schema)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.datastore: Any = recorder.datastore  # type: ignore[attr-defined]
        self.postgres = isinstance(self.datastore, PostgresDatastore)
        prefix = f'"{self.datastore.schema}".' if self.postgres else ""
        self.checkpoints = f"{prefix}alur_checkpoints"
        self.leaves_table = f"{prefix}alur_checkpoint_leaves"

    def create(self) -> None:
        """Create the tables if missing (at start-up, under the schema lock on PostgreSQL)."""
        with self.datastore.transaction(commit=True) as cursor:
            for statement in DDL:
                cursor.execute(statement.format(checkpoints=self.checkpoints,
                                                leaves=self.leaves_table))

    def latest(self) -> tuple[Checkpoint, Frontier] | None:
        """The largest checkpoint stored (the newest of that size), with its frontier."""
        rows = self._query(f"SELECT * FROM {self.checkpoints} ORDER BY size DESC, time DESC"
                           " LIMIT 1")
        if not rows:
            return None
        row = rows[0]
        head = TreeHead(int(row["size"]), int(row["last_id"]), row["root"], row["time"])
        checkpoint = Checkpoint(head, row["public_key"], row["signature"])
        return checkpoint, Frontier.from_json(head.size, row["frontier"])

    def add_leaves(self, leaves: Iterable[Leaf]) -> None:
        """Index leaves beyond the last checkpoint (an interrupted earlier write left some)."""
        rows = [(leaf.notification_id, leaf.originator_id, leaf.originator_version, leaf.topic,
                 leaf.state_sha256.hex()) for leaf in leaves]
        if not rows:
            return
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(self._sql(
                f"INSERT INTO {self.leaves_table} VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (notification_id) DO UPDATE SET originator_id ="
                " excluded.originator_id, originator_version = excluded.originator_version,"
                " topic = excluded.topic, state_sha256 = excluded.state_sha256"), rows)

    def add_checkpoint(self, checkpoint: Checkpoint, frontier: Frontier) -> None:
        head = checkpoint.head
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._sql(
                f"INSERT INTO {self.checkpoints} VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING"),
                (head.size, head.last_id, head.root, head.time, checkpoint.public_key,
                 checkpoint.signature, frontier.to_json()))

    def indexed_leaves(self, stop: int) -> Iterator[Leaf]:
        """The leaf index up to notification ``stop``, in log order."""
        after = 0
        while rows := self._query(
                f"SELECT * FROM {self.leaves_table} WHERE notification_id > ? AND"
                f" notification_id <= ? ORDER BY notification_id LIMIT {READ_BATCH}",
                (after, stop)):
            for row in rows:
                yield Leaf(int(row["notification_id"]), row["originator_id"],
                           int(row["originator_version"]), row["topic"],
                           bytes.fromhex(row["state_sha256"]))
            after = int(rows[-1]["notification_id"])

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._sql(sql), params)
            return list(cursor.fetchall())

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql


def append_line(path: Path, checkpoint: Checkpoint) -> None:
    """Append one checkpoint to the file, flushed to disk before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(checkpoint.to_json() + "\n")
        file.flush()
        os.fsync(file.fileno())


def read_lines(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file, in order; a line that is not one names its number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadCheckpoint(f"no checkpoint file {path}") from None
    checkpoints = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            checkpoints.append(Checkpoint.from_json(line))
        except BadCheckpoint as exc:
            raise BadCheckpoint(f"{path}, line {number}: {exc.message}") from None
    return checkpoints


def pick_line(path: Path, line: int | None = None) -> Checkpoint:
    """Checkpoint number ``line`` (1 = the first, -1 = the last, the default)."""
    checkpoints = read_lines(path)
    if not checkpoints:
        raise BadCheckpoint(f"{path} holds no checkpoint")
    index = -1 if line is None else line - 1 if line > 0 else line
    if line == 0 or not -len(checkpoints) <= index < len(checkpoints):
        raise BadCheckpoint(f"{path} holds checkpoints 1..{len(checkpoints)}, not {line}")
    return checkpoints[index]
