"""The access log of a sensitive case: who read it, when, and what.

One AccessLog aggregate per case, apart from the case's own stream, so that a read never bumps
the case version (and never conflicts with a writer). Its events are hash-chained like a case's.
Event classes are stored by topic (``orchestrator.access:AccessLog.Read`` …): never rename them.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from orchestrator.hashchain import GENESIS, event_hash


def access_log_id(case_id: UUID) -> UUID:
    """The id of a case's access log (derived, so that it needs no index)."""
    return uuid5(NAMESPACE_URL, f"alur:access-log:{case_id}")


class AccessLog(Aggregate):
    """Every read of one sensitive case."""

    class Event(Aggregate.Event):
        """Base of access-log events: each links to the previous by hash."""

        type_name: ClassVar[str] = "Event"
        prev_hash: str

        def apply(self, aggregate: Any) -> None:
            aggregate.head_hash = event_hash(get_topic(type(self)), self.__dict__)

    class Opened(Event, Aggregate.Created):
        type_name = "AccessLogOpened"
        case_id: str

        def mutate(self, aggregate: Any) -> Any:
            log = super().mutate(aggregate)
            assert log is not None  # a Created event always makes its aggregate
            log.head_hash = event_hash(get_topic(type(self)), self.__dict__)
            return log

    class Read(Event):
        """Someone was shown the case (or part of it)."""

        type_name = "CaseRead"
        actor: str
        roles: list[str]
        what: str
        revealed: bool  # the reporter's identity was shown in clear

    def __init__(self, case_id: str, prev_hash: str) -> None:
        self.case_id = case_id
        self.head_hash = GENESIS

    @classmethod
    def open(cls, case_id: UUID) -> AccessLog:
        return cls._create(cls.Opened, id=access_log_id(case_id), case_id=str(case_id),
                           prev_hash=GENESIS)

    def record(self, actor: str, roles: list[str], what: str, revealed: bool) -> None:
        """Record one read; the time is the event's own timestamp."""
        self.trigger_event(self.Read, prev_hash=self.head_hash, actor=actor, roles=sorted(roles),
                           what=what, revealed=revealed)
