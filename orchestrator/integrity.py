"""The whole store's integrity: every stream of every aggregate kind, and every snapshot.

Each stream's hash chain is recomputed over its stored records (orchestrator/verification.py);
each snapshot is recomputed from the events it summarises and its MAC checked
(orchestrator/snapshots.py). Events without ``prev_hash`` are legacy only while nothing has
been chained yet in kinds that have legacy events: once the service chains every kind, an
unchained event stored later in the log is a break, even at the head of its stream.
Reads only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.utils import get_topic

from orchestrator.access import AccessLog
from orchestrator.acting import ActingAppointments
from orchestrator.case import Case
from orchestrator.definitions import Directory, ProcessDefinition
from orchestrator.findings import SNAPSHOT, Finding, StoreReport, StreamResult
from orchestrator.hashchain import canonical
from orchestrator.notices import Delivery, Reminder
from orchestrator.office_calendar import OfficeCalendar
from orchestrator.registration import RegistrationCounter
from orchestrator.schedules import ScheduledStart
from orchestrator.snapshots import SealedSnapshot, SignedSnapshot, snapshot_state
from orchestrator.tickets import PublicTicket
from orchestrator.users import User
from orchestrator.verification import LEGACY_AFTER_CHAINED, UNDECODABLE, verify_stream

if TYPE_CHECKING:
    from orchestrator.application import Orchestrator

LEGACY = "legacy"
SNAPSHOT_MISMATCH, SNAPSHOT_UNSIGNED = "snapshot-mismatch", "snapshot-unsigned"


@dataclass(frozen=True)
class Kind:
    """One aggregate kind: how to name a stream of it, and whether it may hold legacy events."""

    label: str
    aggregate: type[Any] | None
    name_of: Callable[[Any], str]  # the stream's first event → its human name
    legacy: bool  # chained only after events of this kind had been stored

    def holds(self, topic: str) -> bool:
        return self.aggregate is not None and topic.startswith(f"{get_topic(self.aggregate)}.")


KINDS = (
    Kind("case", Case, lambda e: e.registration, legacy=False),
    Kind("access log", AccessLog, lambda e: f"case {e.case_id}", legacy=False),
    Kind("process definition", ProcessDefinition, lambda e: e.key, legacy=True),
    Kind("user", User, lambda e: e.username, legacy=True),
    Kind("registration counter", RegistrationCounter, lambda e: f"{e.key} {e.year}",
         legacy=True),
    Kind("directory", Directory, lambda e: e.kind, legacy=True),
    Kind("ticket", PublicTicket, lambda e: e.registration, legacy=True),
    Kind("acting appointments", ActingAppointments, lambda e: e.deputy, legacy=False),
    Kind("scheduled start", ScheduledStart, lambda e: f"{e.schedule} {e.period}", legacy=False),
    Kind("delivery", Delivery, lambda e: f"{e.channel} {e.key}", legacy=False),
    Kind("reminder", Reminder, lambda e: f"{e.kind} {e.task_id}", legacy=False),
    Kind("office calendar", OfficeCalendar, lambda e: "office calendar", legacy=False),
)
UNKNOWN = Kind("unknown stream", None, lambda e: "", legacy=False)


def kind_of(topic: str) -> Kind:
    return next((kind for kind in KINDS if kind.holds(topic)), UNKNOWN)


@dataclass
class _Log:
    """What one pass over the log tells: each stream's kind, and unchained events stored
    after the first chained event of a kind that has legacy events."""

    kinds: dict[UUID, Kind] = field(default_factory=dict)
    first_chained: int | None = None  # notification id
    late_unchained: list[tuple[UUID, int, int]] = field(default_factory=list)


class StoreAudit:
    """Verify every stream in the log and every snapshot of them."""

    def __init__(self, app: Orchestrator) -> None:
        self.app = app

    def run(self, only: UUID | None = None) -> StoreReport:
        """The whole store, or the one stream ``only``; cases first (they name access logs)."""
        log = self._scan() if only is None else self._one(only)
        rank = {kind.label: i for i, kind in enumerate(KINDS)}
        report = StoreReport()
        names: dict[UUID, str] = {}
        for stream_id, kind in sorted(log.kinds.items(),
                                      key=lambda item: rank.get(item[1].label, len(KINDS))):
            names[stream_id] = self._name(stream_id, kind, names)
            self._check_stream(report, stream_id, kind, names[stream_id])
            self._check_snapshots(report, stream_id, kind, names[stream_id])
        self._check_late_unchained(report, log, names)
        return report

    def _scan(self) -> _Log:
        log, start = _Log(), 1
        while batch := self.app.recorder.select_notifications(start, 500):
            for notification in batch:
                self._note(log, notification)
            start = batch[-1].id + 1
        return log

    def _note(self, log: _Log, notification: Notification) -> None:
        stream_id = UUID(str(notification.originator_id))
        kind = log.kinds.setdefault(stream_id, kind_of(notification.topic))
        if not kind.legacy:
            return
        try:
            chained = "prev_hash" in self.app.mapper.to_domain_event(notification).__dict__
        except Exception:  # undecodable: the chain check names it
            return
        if chained and log.first_chained is None:
            log.first_chained = notification.id
        elif not chained and log.first_chained is not None:
            log.late_unchained.append((stream_id, notification.originator_version,
                                       notification.id))

    def _one(self, stream_id: UUID) -> _Log:
        first = self.app.recorder.select_events(stream_id, limit=1)
        return _Log(kinds={stream_id: kind_of(first[0].topic)} if first else {})

    def _name(self, stream_id: UUID, kind: Kind, names: dict[UUID, str]) -> str:
        """The stream's human name from its first event ("" when that does not decode); an
        access log is named by its case's registration."""
        try:
            first = self.app.mapper.to_domain_event(
                self.app.recorder.select_events(stream_id, limit=1)[0])
            name = kind.name_of(first)
        except Exception:  # the chain check reports why; the id still names the stream
            return ""
        if isinstance(first, AccessLog.Opened) and UUID(first.case_id) in names:
            return f"case {names[UUID(first.case_id)]}"
        return name

    def _check_stream(self, report: StoreReport, stream_id: UUID, kind: Kind,
                      name: str) -> None:
        result = verify_stream(self.app.recorder, self.app.mapper, stream_id,
                               legacy=kind.legacy)
        assert result is not None  # the stream was found by its stored events
        report.streams.append(StreamResult(kind.label, name, result))
        if result.legacy:
            report.findings.append(Finding(
                kind.label, stream_id, name, 1, LEGACY,
                f"events 1..{result.legacy} were stored before {kind.label} streams were "
                "hash-chained: nothing links them to each other", broken=False))
        if result.first_bad is not None:
            bad = result.first_bad
            report.findings.append(Finding(kind.label, stream_id, name, bad.seq, bad.problem,
                                           bad.detail))

    def _check_late_unchained(self, report: StoreReport, log: _Log,
                              names: dict[UUID, str]) -> None:
        known = {(f.stream_id, f.seq) for f in report.problems()}
        for stream_id, seq, notification_id in log.late_unchained:
            if (stream_id, seq) not in known:
                report.findings.append(Finding(
                    log.kinds[stream_id].label, stream_id, names.get(stream_id, ""), seq,
                    LEGACY_AFTER_CHAINED,
                    f"event {seq} carries no prev_hash, but it was stored (notification "
                    f"{notification_id}) after the service chained every kind (notification "
                    f"{log.first_chained})"))

    def _check_snapshots(self, report: StoreReport, stream_id: UUID, kind: Kind,
                         name: str) -> None:
        if self.app.snapshots is None:
            return
        label = f"{kind.label} {name}".strip()
        records = self.app.snapshots.recorder.select_events(stream_id)
        report.snapshots += len(records)
        for seq, problem, detail, broken in self._snapshot_problems(stream_id, records):
            report.findings.append(Finding(SNAPSHOT, stream_id, label, seq, problem, detail,
                                           broken))

    def _snapshot_problems(self, stream_id: UUID, records: Sequence[StoredEvent]
                           ) -> Iterator[tuple[int, str, str, bool]]:
        mapper = self.app.snapshots.mapper if self.app.snapshots else self.app.mapper
        for record in records:
            seq = record.originator_version
            try:
                snapshot = mapper.to_domain_event(record)
                differing = self._differing(stream_id, snapshot)
            except Exception as exc:  # the snapshot, or the events it summarises, do not load
                yield seq, UNDECODABLE, f"{type(exc).__name__}: {exc}"[:300], True
                continue
            problem = _snapshot_problem(snapshot, differing,
                                        self.app.snapshot_signer.is_valid(snapshot))
            if problem is not None:
                yield (seq, *problem)

    def _differing(self, stream_id: UUID, snapshot: Any) -> list[str]:
        """The keys of the snapshot's state that its events up to its version do not give."""
        expected = snapshot_state(self.app.with_models(lambda: project_aggregate(
            None, self.app.events.get(stream_id, lte=snapshot.originator_version))))
        state = dict(snapshot.state)
        keys = sorted(set(expected) | set(state))
        return [key for key in keys if _encoded(state, key) != _encoded(expected, key)]


def _encoded(state: dict[str, Any], key: str) -> bytes | None:
    return canonical(key, {"value": state[key]}) if key in state else None


def _snapshot_problem(snapshot: Any, differing: list[str], signed: bool
                      ) -> tuple[str, str, bool] | None:
    """(problem, detail, broken) for one snapshot, None when it is sound."""
    if differing:
        mac = "its MAC verifies" if signed else "it has no valid MAC"
        return (SNAPSHOT_MISMATCH, f"its {', '.join(differing)} differ from what events 1.."
                f"{snapshot.originator_version} give ({mac})", True)
    if signed:
        return None
    if not isinstance(snapshot, SignedSnapshot | SealedSnapshot):
        return (LEGACY, "taken before snapshots were signed: agrees with its events, "
                "ignored on load", False)
    return (SNAPSHOT_UNSIGNED, "its MAC does not verify (not written with this service's "
            "secret, or changed since): ignored on load", True)
