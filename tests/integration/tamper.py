"""Tampering that a hash chain alone cannot show, by raw SQL on the real stores: truncating a
stream's tail, deleting a whole stream, and re-chaining a case consistently (rewrite an event
and recompute every later ``prev_hash``, as someone who read our code could)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from alur.bootstrap import Services
from orchestrator.hashchain import event_hash
from tests.integration.rawstore import RawStore


def truncate(raw: RawStore, stream: UUID, keep: int) -> None:
    """Delete every event of the stream after version ``keep``."""
    for version in sorted(raw.states(stream)):
        if version > keep:
            raw.delete(stream, version)


def delete_stream(raw: RawStore, stream: UUID) -> None:
    for version in raw.states(stream):
        raw.delete(stream, version)


def rechain(services: Services, raw: RawStore, case_id: UUID, version: int,
            change: dict[str, Any]) -> None:
    """Change event ``version``'s fields and re-link every later event to the new hashes, so
    that the case's own chain verifies clean afterwards."""
    app = services.orchestrator
    events = [app.mapper.to_domain_event(record) for record in app.recorder.select_events(case_id)]
    before = events[version - 2]  # version >= 2: the chain into the changed event stays
    head = event_hash(get_topic(type(before)), before.__dict__)
    for event in events[version - 1:]:
        fields = change if event.originator_version == version else {}
        for name, value in {**fields, "prev_hash": head}.items():
            object.__setattr__(event, name, value)
        head = event_hash(get_topic(type(event)), event.__dict__)
        raw.set_state(case_id, event.originator_version, app.mapper.to_stored_event(event).state)


def set_topic(raw: RawStore, stream: UUID, version: int, topic: str) -> None:
    """Give a stored event a topic no class answers to."""
    raw._execute(f"UPDATE {raw.table} SET topic = {{p}} WHERE originator_id = {{p}} "
                 "AND originator_version = {p}", topic, stream, version)
