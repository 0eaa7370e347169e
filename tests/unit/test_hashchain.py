"""The one hash chain (ChainedAggregate) with decorated and explicit events, legacy streams,
and signed snapshots, on an in-memory recorder (no store of ours)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import event
from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOAggregateRecorder

from orchestrator.hashchain import GENESIS, ChainedAggregate, hash_of
from orchestrator.snapshots import SealedSnapshot, SealingMapper, SignedSnapshot, SnapshotSigner
from orchestrator.verification import Verification, verify_stream

APP = Application[UUID](env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


class Ledger(ChainedAggregate):
    """Decorated methods, an explicit event class with its own apply(), defaults."""

    @event("Opened")
    def __init__(self, owner: str, currency: str = "IDR") -> None:
        self.owner = owner
        self.currency = currency
        self.entries: list[int] = []

    @event("Booked")
    def book(self, amount: int, note: str = "") -> None:
        self.entries.append(amount)

    class Closed(ChainedAggregate.Event):
        reason: str

        def apply(self, aggregate: Any) -> None:  # no super(): the chain must not depend on it
            aggregate.closed = self.reason

    def close(self, reason: str) -> None:
        self.trigger_event(self.Closed, reason=reason)


def ledger(entries: int = 3) -> Ledger:
    book = Ledger(owner="bendahara")
    for n in range(entries):
        book.book(amount=n + 1)
    return book


def stored(aggregate: ChainedAggregate) -> list[StoredEvent]:
    return [APP.mapper.to_stored_event(e) for e in aggregate.collect_events()]


def verify(records: list[StoredEvent], legacy: bool = True) -> Verification:
    recorder = POPOAggregateRecorder()
    recorder.insert_events(records)
    result = verify_stream(recorder, APP.mapper, records[0].originator_id, legacy=legacy)
    assert result is not None
    return result


def unchained(record: StoredEvent, **changes: Any) -> StoredEvent:
    """The record as an older release stored it: without prev_hash (and maybe changed)."""
    state = json.loads(record.state)
    state.pop("prev_hash")
    state.update(changes)
    return replace(record, state=json.dumps(state).encode())


def replayed(records: list[StoredEvent]) -> Any:
    aggregate = None
    for record in records:
        aggregate = APP.mapper.to_domain_event(record).mutate(aggregate)
    return aggregate


def test_decorated_and_explicit_events_link_each_to_its_predecessor() -> None:
    book = ledger(2)
    book.close("tutup buku")
    events = list(book.pending_events)
    assert [type(e).__qualname__ for e in events] == [
        "Ledger.Opened", "Ledger.Booked", "Ledger.Booked", "Ledger.Closed"]
    previous = GENESIS
    for e in events:
        assert e.prev_hash == previous
        previous = hash_of(e)
    assert book.head_hash == previous and book.closed == "tutup buku"
    assert book.entries == [1, 2] and book.currency == "IDR"


def test_a_stored_chain_replays_to_the_same_head_and_verifies() -> None:
    book = ledger()
    book.close("akhir tahun")
    head = book.head_hash
    records = stored(book)
    assert replayed(records).head_hash == head
    result = verify(records)
    assert result.ok and result.legacy == 0 and result.head_hash == head


def test_legacy_events_decode_and_the_first_chained_links_to_the_last_of_them() -> None:
    records = [unchained(r) for r in stored(ledger(2))]  # 3 events an older release stored
    old = replayed(records)
    assert old.entries == [1, 2] and "prev_hash" not in APP.mapper.to_domain_event(
        records[0]).__dict__
    old.book(amount=10)  # the first chained event
    (new,) = old.collect_events()
    assert new.prev_hash == hash_of(APP.mapper.to_domain_event(records[-1]))
    result = verify([*records, APP.mapper.to_stored_event(new)])
    assert result.ok and result.legacy == 3


def test_a_changed_legacy_predecessor_breaks_the_first_chained_link() -> None:
    records = [unchained(r) for r in stored(ledger(2))]
    old = replayed(records)
    old.book(amount=10)
    chained = [*records, *(APP.mapper.to_stored_event(e) for e in old.collect_events())]
    state = json.loads(chained[2].state)  # the last legacy event, which nothing else links to
    chained[2] = replace(chained[2], state=json.dumps({**state, "amount": 99}).encode())
    bad = verify(chained).first_bad
    assert bad is not None and (bad.seq, bad.problem) == (3, "altered")


def test_an_unchained_event_after_a_chained_one_is_a_break() -> None:
    records = stored(ledger(3))
    records[2] = unchained(records[2])
    bad = verify(records).first_bad
    assert bad is not None and (bad.seq, bad.problem) == (3, "legacy-after-chained")


def test_kinds_chained_from_the_start_accept_no_legacy_event() -> None:
    records = [unchained(r) for r in stored(ledger(1))]
    bad = verify(records, legacy=False).first_bad
    assert bad is not None and (bad.seq, bad.problem) == (1, "undecodable")
    assert verify(records, legacy=True).ok


def test_a_sealed_snapshot_verifies_and_any_changed_byte_or_other_key_does_not() -> None:
    signer = SnapshotSigner("rahasia layanan")
    mapper = SealingMapper(APP.mapper, signer)
    snapshot = signer.take(ledger())
    assert isinstance(snapshot, SealedSnapshot) and not signer.is_valid(snapshot)  # not read
    stored = mapper.to_stored_event(snapshot)
    assert signer.is_valid(mapper.to_domain_event(stored))  # the MAC rides on the bytes
    assert mapper.to_domain_event(stored).state == snapshot.state
    for at in (0, len(stored.state) // 2, len(stored.state) - 1):  # state, then the MAC
        flipped = bytearray(stored.state)
        flipped[at] ^= 1
        try:
            read = mapper.to_domain_event(replace(stored, state=bytes(flipped)))
        except Exception:  # the change broke the JSON: not trusted either way
            continue
        assert not signer.is_valid(read)
    assert not signer.is_valid(mapper.to_domain_event(replace(stored, originator_version=2)))
    assert not signer.is_valid(mapper.to_domain_event(replace(stored, originator_id=uuid4())))
    other = SealingMapper(APP.mapper, SnapshotSigner("kunci lain"))
    assert not signer.is_valid(other.to_domain_event(stored))
    # "verified" is never stored: a snapshot read as verified is written as not
    rewritten = mapper.to_stored_event(mapper.to_domain_event(stored))
    assert b'"verified":false' in rewritten.state and rewritten.state == stored.state


def test_a_snapshot_signed_before_sealing_still_verifies_by_its_old_mac() -> None:
    signer = SnapshotSigner("rahasia layanan")
    taken = signer.take(ledger())
    snapshot = SignedSnapshot(originator_id=taken.originator_id,  # type: ignore[call-arg]
                              originator_version=taken.originator_version,
                              timestamp=taken.timestamp, topic=taken.topic, state=taken.state,
                              mac=signer._mac(taken))
    decoded = APP.mapper.to_domain_event(APP.mapper.to_stored_event(snapshot))
    assert signer.is_valid(decoded)
    forged = replace(snapshot, state={**snapshot.state, "entries": [1, 2, 300]})
    assert not signer.is_valid(forged)
    assert not signer.is_valid(replace(snapshot, originator_id=uuid4()))
    assert not SnapshotSigner("kunci lain").is_valid(snapshot)
    assert not signer.is_valid(replace(snapshot, mac=""))
