"""Write signed checkpoints of the whole event store, and prove the store still extends one.

A new checkpoint starts from the last one's frontier, which must give that checkpoint's signed
root: so it never signs over earlier records that were changed since (their leaves are not
read again), and it must also extend the last checkpoint in the file (checked on the way), so
that emptying the checkpoint table does not let it sign a rewritten log afresh.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from eventsourcing.persistence import ApplicationRecorder

from orchestrator.anchoring import (
    BadCheckpoint,
    Checkpoint,
    CheckpointKey,
    Frontier,
    TreeHead,
    verify_signature,
)
from orchestrator.checkpoint_store import (
    CheckpointTables,
    Leaf,
    append_line,
    read_lines,
    stored_leaves,
)
from orchestrator.errors import AlurError

log = logging.getLogger(__name__)
INDEX_CHUNK = 5000
ALTERED, REMOVED, INSERTED = "altered", "removed", "inserted"


class AnchorMismatch(AlurError):
    """The store does not extend a checkpoint that a new one would have to extend."""


@dataclass(frozen=True)
class Difference:
    """One record that differs from the checkpointed log."""

    kind: str  # altered | removed | inserted
    then: Leaf | None  # as checkpointed (from the authenticated leaf index)
    now: Leaf | None  # as stored now

    def describe(self) -> str:
        if self.then is None and self.now is not None:
            return f"{self.now.describe()}: inserted (not in the checkpointed log)"
        assert self.then is not None
        if self.now is None:
            return f"{self.then.describe()}: removed"
        if self.then.describe() == self.now.describe():
            return f"{self.then.describe()}: altered (its stored state changed)"
        return f"{self.then.describe()}: altered (now {self.now.describe()})"


@dataclass(frozen=True)
class AnchorCheck:
    """The store recomputed against one checkpoint."""

    checkpoint: Checkpoint
    records: int  # records stored now up to the checkpoint's last notification id
    head_id: int  # the log's last notification id now
    root: str
    differences: list[Difference] = field(default_factory=list)  # the first few
    different: int = 0  # how many records differ (when the leaf index could say)
    streams: int = 0  # in how many streams (cases, users, …)
    index_trusted: bool = True

    @property
    def ok(self) -> bool:
        head = self.checkpoint.head
        return self.records == head.size and self.root == head.root

    def report(self) -> list[str]:
        """Lines for the command line."""
        head = self.checkpoint.head
        title = f"checkpoint of {head.time} (size {head.size}, root {head.root[:16]}…)"
        if self.ok:
            return [f"{title}: ok — the first {head.size} records (up to notification "
                    f"{head.last_id}) give its signed root; the log now ends at notification "
                    f"{self.head_id}, extending it"]
        lines = [f"{title}: BROKEN — the records stored up to notification {head.last_id} "
                 "no longer give its signed root"]
        if self.records < head.size:
            lines.append(f"  the log is now shorter: {self.records} records up to notification"
                         f" {head.last_id}, the checkpoint holds {head.size}")
        elif self.records > head.size:
            lines.append(f"  the log now has {self.records} records up to notification "
                         f"{head.last_id}, the checkpoint holds {head.size}")
        if not self.index_trusted:
            lines.append("  the leaf index in the database no longer gives the signed root "
                         "either, so the first differing record cannot be named; check "
                         "against an earlier checkpoint (--line)")
        for n, difference in enumerate(self.differences):
            lines.append(f"  {'first difference' if n == 0 else 'then'}: "
                         f"{difference.describe()}")
        if self.different:
            lines.append(f"  {self.different} record(s) differ, in {self.streams} stream(s)")
        return lines


class Anchor:
    """Checkpoints of one event store: written with the private key, checked with the public."""

    def __init__(self, recorder: ApplicationRecorder, path: Path, key: CheckpointKey | None,
                 public_key: str | None = None, timezone: str = "Asia/Makassar") -> None:
        self.recorder = recorder
        self.path = path
        self.key = key
        self.public_key = public_key or (key.public_key if key else "")
        self.tables = CheckpointTables(recorder)
        self.zone = ZoneInfo(timezone)

    def write(self, only_if_grown: bool = False) -> Checkpoint | None:
        """Sign the log as it stands now; None when ``only_if_grown`` and nothing new."""
        if self.key is None:
            raise BadCheckpoint("no checkpoint key: set ALUR_CHECKPOINT_KEY")
        frontier, last_id, previous = self._base()
        anchor = self._file_anchor(previous)
        pending: list[Leaf] = []
        for leaf in stored_leaves(self.recorder, after=last_id):
            frontier.append(leaf.hash())
            last_id = leaf.notification_id
            pending.append(leaf)
            if anchor is not None and frontier.size == anchor.head.size:
                self._must_extend(anchor, frontier, last_id)
            if len(pending) >= INDEX_CHUNK:  # bounded memory on a first checkpoint
                self.tables.add_leaves(pending)
                pending = []
        if anchor is not None and frontier.size < anchor.head.size:
            raise AnchorMismatch(f"the log has {frontier.size} records, fewer than the last "
                                 f"checkpoint in {self.path} ({anchor.head.size}); check it "
                                 "with `alur audit verify --against`")
        if only_if_grown and previous is not None and frontier.size == previous.head.size:
            return None
        self.tables.add_leaves(pending)
        head = TreeHead(frontier.size, last_id, frontier.root().hex(),
                        datetime.now(self.zone).isoformat())
        checkpoint = self.key.sign(head)
        self.tables.add_checkpoint(checkpoint, frontier)
        append_line(self.path, checkpoint)
        return checkpoint

    def latest(self) -> Checkpoint | None:
        """The last checkpoint: the file's last line, else the database's largest."""
        lines = read_lines(self.path) if self.path.exists() else []
        if lines:
            return lines[-1]
        stored = self.tables.latest()
        return stored[0] if stored else None

    def check(self, checkpoint: Checkpoint) -> AnchorCheck:
        """Recompute the root over the records up to the checkpoint; BadCheckpoint if its
        signature is not ours. Names what differs when the store no longer extends it."""
        self._trusted(checkpoint)
        head = checkpoint.head
        frontier = Frontier()
        for leaf in stored_leaves(self.recorder, stop=head.last_id):
            frontier.append(leaf.hash())
        result = AnchorCheck(checkpoint, frontier.size, self.recorder.max_notification_id() or 0,
                             frontier.root().hex())
        return result if result.ok else self._diagnose(result)

    def _trusted(self, checkpoint: Checkpoint) -> None:
        if not self.public_key:
            raise BadCheckpoint("no key to check checkpoints with: set ALUR_CHECKPOINT_KEY "
                                "(or pass the public key)")
        verify_signature(checkpoint, self.public_key)

    def _base(self) -> tuple[Frontier, int, Checkpoint | None]:
        """The last stored checkpoint's frontier, after checking it gives the signed root."""
        stored = self.tables.latest()
        if stored is None:
            return Frontier(), 0, None
        checkpoint, frontier = stored
        try:
            self._trusted(checkpoint)
        except BadCheckpoint as exc:
            raise BadCheckpoint(f"the last checkpoint in the database: {exc.message}") from None
        if frontier.root().hex() != checkpoint.head.root:
            raise AnchorMismatch(f"the frontier stored with checkpoint {checkpoint.head.size} "
                                 "does not give its signed root: the checkpoint table was "
                                 "altered")
        return frontier, checkpoint.head.last_id, checkpoint

    def _file_anchor(self, previous: Checkpoint | None) -> Checkpoint | None:
        """The file's last checkpoint when it is ours and beyond the database's last."""
        lines = read_lines(self.path) if self.path.exists() else []
        if not lines or lines[-1].public_key != self.public_key:
            return None
        last = lines[-1]
        self._trusted(last)
        if previous is None or last.head.size > previous.head.size:
            return last
        if last.head.size == previous.head.size and last.head.root != previous.head.root:
            raise AnchorMismatch(f"the last checkpoint in {self.path} and the database's "
                                 f"disagree at size {last.head.size}")
        return None

    @staticmethod
    def _must_extend(anchor: Checkpoint, frontier: Frontier, last_id: int) -> None:
        if frontier.root().hex() != anchor.head.root or last_id != anchor.head.last_id:
            raise AnchorMismatch(f"the log no longer extends the last checkpoint in the file "
                                 f"(size {anchor.head.size}); check it with "
                                 "`alur audit verify --against`")

    def _diagnose(self, result: AnchorCheck) -> AnchorCheck:
        """Compare with the leaf index, if the signed root authenticates it."""
        head = result.checkpoint.head
        frontier = Frontier()
        for leaf in self.tables.indexed_leaves(head.last_id):
            frontier.append(leaf.hash())
        if frontier.size != head.size or frontier.root().hex() != head.root:
            return AnchorCheck(result.checkpoint, result.records, result.head_id, result.root,
                               index_trusted=False)
        differences = _differences(self.tables.indexed_leaves(head.last_id),
                                   stored_leaves(self.recorder, stop=head.last_id))
        first = list(islice(differences, 5))
        streams = {_stream(d) for d in first}
        total = len(first)
        for difference in differences:
            total += 1
            streams.add(_stream(difference))
        return AnchorCheck(result.checkpoint, result.records, result.head_id, result.root,
                           first, total, len(streams))

    def run_every(self, interval: float, stop: threading.Event,
                  report: Callable[[Checkpoint], None] | None = None) -> None:
        """Write a checkpoint now and then every ``interval`` seconds when the log grew."""
        while True:
            try:
                checkpoint = self.write(only_if_grown=True)
                if checkpoint is not None and report is not None:
                    report(checkpoint)
            except Exception:  # keep trying: the next interval may succeed (database back)
                log.exception("checkpoint failed")
            if stop.wait(interval):
                return


def _stream(difference: Difference) -> str:
    leaf = difference.then or difference.now
    return leaf.originator_id if leaf else ""


def _differences(then: Iterator[Leaf], now: Iterator[Leaf]) -> Iterator[Difference]:
    """Merge two logs in notification order and yield each record that differs."""
    old, new = next(then, None), next(now, None)
    while old is not None or new is not None:
        if new is None or (old is not None and old.notification_id < new.notification_id):
            yield Difference(REMOVED, old, None)
            old = next(then, None)
        elif old is None or new.notification_id < old.notification_id:
            yield Difference(INSERTED, None, new)
            new = next(now, None)
        else:
            if old != new:
                yield Difference(ALTERED, old, new)
            old, new = next(then, None), next(now, None)

