"""Tamper evidence: every event of every aggregate carries its predecessor's hash over a
canonical encoding, so that each stream is a hash chain.

``ChainedAggregate`` is the one implementation: its events get ``prev_hash`` when they are
triggered (explicit event classes and ``@event``-decorated methods alike) and every event
applied, new or stored, moves the aggregate's ``head_hash`` on. Events stored before an
aggregate kind was chained have no ``prev_hash``: they still load, and the first chained event
links to the hash of its unchained predecessor (see orchestrator/verification.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanInitAggregate
from eventsourcing.utils import get_topic

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)  # state in snapshots (a case's open tasks)
    raise TypeError(f"cannot encode {type(value).__name__} canonically")


def canonical(topic: str, fields: dict[str, Any]) -> bytes:
    """Deterministic bytes for an event: its topic and every field, keys sorted, compact JSON."""
    body = {"topic": topic, **fields}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default).encode("utf-8")


def event_hash(topic: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(topic, fields)).hexdigest()


def hash_of(event: Any) -> str:
    """The hash of one event as stored: its topic and every field it carries."""
    return event_hash(get_topic(type(event)), event.__dict__)


class ChainedAggregate(Aggregate):
    """An aggregate whose stream is a hash chain; the base of every aggregate in Alur."""

    head_hash = GENESIS  # the hash of the last event applied (no annotation: no dataclass)

    class Event(Aggregate.Event):
        """Every event links to the previous one by hash (absent on legacy stored events)."""

        prev_hash: str

        def mutate(self, aggregate: Any) -> Any:
            # mutate, not apply: an event subclass overriding apply() cannot skip the chain
            mutated = super().mutate(aggregate)
            assert mutated is not None  # a chained event always yields its aggregate
            mutated.head_hash = hash_of(self)
            return mutated

    class Created(Event, Aggregate.Created):
        """The first event of a stream links to GENESIS."""

    @classmethod
    def _create(cls, event_class: type[CanInitAggregate[UUID]], **kwargs: Any) -> Any:
        kwargs.setdefault("prev_hash", GENESIS)
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        kwargs.setdefault("prev_hash", self.head_hash)
        super().trigger_event(event_class, **kwargs)
