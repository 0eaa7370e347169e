"""Inspectors' reads: verify a case's chain (or the whole store's), the case as it stood
after event N, and the access log that every read of a sensitive case leaves behind (outside
the case's own stream).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from orchestrator.access import AccessLog, access_log_id
from orchestrator.case import Case
from orchestrator.commands import Actor
from orchestrator.contention import ATTEMPTS, back_off
from orchestrator.engine import ProcessModel
from orchestrator.errors import AlurError, CaseNotFound, StaleCaseVersion
from orchestrator.findings import StoreReport
from orchestrator.integrity import StoreAudit
from orchestrator.sealing import REDACTED
from orchestrator.verification import Verification, verify_stream

if TYPE_CHECKING:
    from orchestrator.application import Orchestrator

CASE_TOPICS = tuple(get_topic(cls) for cls in vars(Case).values() if isinstance(cls, type)
                    and issubclass(cls, Case.Event) and cls is not Case.Event)


class OutOfRange(AlurError):
    """A replay asked for an event the case does not have."""


@dataclass(frozen=True)
class Replay:
    """The case as it stood right after event ``at`` of ``total``."""

    case: Case
    at: int
    total: int


@dataclass(frozen=True)
class AccessEntry:
    """One read of a sensitive case."""

    seq: int
    at: datetime
    actor: str
    roles: list[str]
    what: str
    revealed: bool


class Auditor:
    """Read-only audit services over the orchestrator's store."""

    def __init__(self, app: Orchestrator) -> None:
        self.app = app

    def verify(self, case_id: UUID) -> Verification:
        """Recompute the case's chain over its stored records."""
        result = verify_stream(self.app.recorder, self.app.mapper, case_id)
        if result is None:
            raise CaseNotFound(f"no case {case_id}", case=str(case_id))
        return result

    def verify_store(self, only: UUID | None = None) -> StoreReport:
        """Every stream of every kind and every snapshot (or only the stream ``only``)."""
        report = StoreAudit(self.app).run(only)
        if only is not None and not report.streams:
            raise CaseNotFound(f"no case or other stream {only}", case=str(only))
        return report

    def verify_all(self) -> Iterator[Verification]:
        for case_id in self.case_ids():
            yield self.verify(case_id)

    def case_ids(self) -> list[UUID]:
        """Every case in the log, by any of its events (a case whose start was removed too)."""
        seen: dict[UUID, None] = {}
        start = 1
        while batch := self.app.recorder.select_notifications(start, 500, topics=CASE_TOPICS):
            for notification in batch:
                seen.setdefault(UUID(str(notification.originator_id)), None)
            start = batch[-1].id + 1
        return list(seen)

    def total_events(self, case_id: UUID) -> int:
        last = self.app.recorder.select_events(case_id, desc=True, limit=1)
        if not last:
            raise CaseNotFound(f"no case {case_id}", case=str(case_id))
        return last[0].originator_version

    def replay(self, case_id: UUID, at: int) -> Replay:
        """The case right after event ``at``: the same loading code as a live case."""
        total = self.total_events(case_id)
        if not 1 <= at <= total:
            raise OutOfRange(f"the case has events 1..{total}, not {at}",
                             errors={"at": [f"must be between 1 and {total}"]})
        return Replay(self.app.get_case(case_id, version=at), at, total)

    def model(self, case: Case) -> ProcessModel:
        return self.app.model(case.process_key, case.process_version)[0]

    def is_sensitive(self, case: Case) -> bool:
        return self.model(case).sensitive or bool(case.sealed)

    def reporter(self, case: Case, actor: Actor | None) -> tuple[Any, bool]:
        """(what this actor may see of the reporter, whether it is shown in clear)."""
        handling = self.model(case).handling_role
        if actor is None or handling is None or not actor.holds(handling):
            return REDACTED, False
        return self.app.sealer.open(case.id, case.sealed) or None, True

    def record_read(self, case: Case, actor: Actor, what: str, revealed: bool = False) -> None:
        """Log a read of a sensitive case before it is answered (no-op for other cases)."""
        if not self.is_sensitive(case):
            return
        for attempt in range(ATTEMPTS):  # readers at once: the unique version decides
            log = self._log(case.id)
            log.record(actor.username, list(actor.roles), what, revealed)
            try:
                self.app.save(log)
                return
            except IntegrityError:
                back_off(attempt)
        raise StaleCaseVersion("the access log is busy; try again")

    def access_log(self, case_id: UUID) -> list[AccessEntry]:
        """Every recorded read of the case, oldest first (none for a case that isn't sensitive)."""
        self.total_events(case_id)  # 404 for an unknown case
        return [AccessEntry(e.originator_version, e.timestamp, e.actor, e.roles, e.what,
                            e.revealed)
                for e in self.app.events.get(access_log_id(case_id))
                if isinstance(e, AccessLog.Read)]

    def _log(self, case_id: UUID) -> AccessLog:
        try:
            return self.app.repository.get(access_log_id(case_id))
        except AggregateNotFoundError:
            return AccessLog.open(case_id)
