"""Which stored event a broken link blames, on an in-memory recorder (no store of ours)."""

from __future__ import annotations

import copy
from dataclasses import replace
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOAggregateRecorder

from orchestrator.access import AccessLog
from orchestrator.verification import Verification, verify_stream

APP = Application[UUID](env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def stored(log: AccessLog) -> list[StoredEvent]:
    return [APP.mapper.to_stored_event(e) for e in log.collect_events()]


def verify(records: list[StoredEvent]) -> Verification:
    recorder = POPOAggregateRecorder()
    recorder.insert_events(records)
    result = verify_stream(recorder, APP.mapper, records[0].originator_id)
    assert result is not None
    return result


def reads(log: AccessLog, count: int, who: str = "reader") -> AccessLog:
    for n in range(count):
        log.record(f"{who}{n}", ["inspektur"], "case", False)
    return log


def test_a_forged_event_put_between_two_is_inserted() -> None:
    log = reads(AccessLog.open(uuid4()), 3)
    before = stored(log)  # events 1..4
    forged = stored(reads(copy.deepcopy(log), 1, "forger"))  # a valid-looking event 5
    after = stored(reads(log, 3))  # the real events 5..7
    renumbered = [replace(r, originator_version=r.originator_version + 1) for r in after]
    bad = verify(before + forged + renumbered).first_bad
    assert bad is not None and (bad.seq, bad.problem) == (5, "inserted")


def test_a_clean_stream_verifies_and_names_its_head() -> None:
    log = reads(AccessLog.open(uuid4()), 4)
    result = verify(stored(log))
    assert result.ok and result.events == 5 and result.head_hash == log.head_hash


def test_the_head_needs_an_outside_anchor() -> None:
    """A change to the last event breaks no link: only a head hash kept elsewhere shows it."""
    log = reads(AccessLog.open(uuid4()), 2)
    records = stored(log)
    exported_head = verify(records).head_hash
    last = records[-1]
    records[-1] = replace(last, state=last.state.replace(b"reader1", b"reader9"))
    result = verify(records)
    assert result.ok and result.head_hash != exported_head
