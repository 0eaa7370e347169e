"""Snapshots that prove they are ours: an HMAC-SHA256 over each stored snapshot.

A snapshot row rewritten in the database would otherwise be loaded as the truth (the events it
summarises are not read again). The MAC key is derived (HKDF) from the service secret, which is
kept outside the database, for this one purpose; the repository ignores a snapshot whose MAC
does not verify and rebuilds the aggregate from its events (orchestrator/repository.py).

Snapshots are written sealed (``orchestrator.snapshots:SealedSnapshot``): the MAC covers the
stored bytes (identity, version, topic and the encoded state, as the store holds them) and is
appended to them by the snapshot store's mapper, so that checking it costs a hash over bytes
instead of encoding the whole state again — which was half of loading a long case cold
(2026-12-08). Those signed before (``SignedSnapshot``: a MAC over the canonical JSON of the
decoded state, in the state) are still checked that way; those the library wrote before
(``eventsourcing.domain:Snapshot``) carry no MAC and are never trusted.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import hmac
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic

from orchestrator.hashchain import canonical

_PURPOSE = b"alur:snapshot-mac:v1"
_SEAL = b"alur:snapshot-seal:v1"
TAG_BYTES = 32  # HMAC-SHA256


class SignedSnapshot(Snapshot):
    """A snapshot with a MAC over its canonical state, in its state (written until 2026-12)."""

    mac: str = ""


class SealedSnapshot(Snapshot):
    """A snapshot whose stored bytes end with their MAC (``SealingMapper``). ``verified`` is
    never taken from the store: the mapper sets it from the MAC each time it reads one."""

    verified: bool = False


SEALED_TOPIC = get_topic(SealedSnapshot)


def snapshot_state(aggregate: Any) -> dict[str, Any]:
    """What a snapshot of the aggregate holds (as the library's ``Snapshot.take`` builds it)."""
    return dict(_taken(aggregate).state)


def _taken(aggregate: Any) -> Snapshot:
    """The library's snapshot, of a case with its engine state whole (its deltas folded, in
    a copy: the aggregate itself is left as it is)."""
    if getattr(aggregate, "compact_checkpoint", None) is not None:
        aggregate = copy.copy(aggregate)
        aggregate.compact_checkpoint()
    return SignedSnapshot.take(aggregate)


class SnapshotSigner:
    """Signs snapshots when they are taken and checks them before they are trusted."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a snapshot MAC needs a secret")
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                         info=_PURPOSE).derive(secret.encode("utf-8"))

    def take(self, aggregate: Any) -> SealedSnapshot:
        """A snapshot of the aggregate as it stands (sealed when the store writes it)."""
        snapshot = _taken(aggregate)
        return SealedSnapshot(originator_id=snapshot.originator_id,
                              originator_version=snapshot.originator_version,
                              timestamp=snapshot.timestamp, topic=snapshot.topic,
                              state=snapshot.state)

    def is_valid(self, snapshot: Any) -> bool:
        """Whether this service wrote the snapshot and nothing in it changed since."""
        if isinstance(snapshot, SealedSnapshot):
            return snapshot.verified is True
        mac = getattr(snapshot, "mac", "")
        if not isinstance(snapshot, SignedSnapshot) or not isinstance(mac, str) or not mac:
            return False
        try:
            expected = self._mac(snapshot)
        except (TypeError, ValueError):  # a state that cannot even be encoded is not ours
            return False
        return hmac.compare_digest(mac, expected)

    def _mac(self, snapshot: Snapshot) -> str:
        """HMAC over the canonical form: id, version, time, aggregate topic and state."""
        body = canonical("snapshot", {
            "originator_id": snapshot.originator_id,
            "originator_version": snapshot.originator_version,
            "timestamp": snapshot.timestamp, "aggregate": snapshot.topic,
            "state": snapshot.state})
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def seal(self, stored: StoredEvent, body: bytes) -> bytes:
        """The MAC of a stored snapshot's encoded state, bound to its identity and topic."""
        head = f"{stored.originator_id}|{stored.originator_version}|{stored.topic}|".encode()
        return hmac.new(self._key, _SEAL + head + body, hashlib.sha256).digest()


class SealingMapper(Mapper[Any]):
    """The snapshot store's mapper: the library's encoding, then the MAC appended on write and
    checked on read (before anything is trusted; a snapshot that fails is still decoded, so
    that ``alur audit verify`` can say what in it differs)."""

    def __init__(self, mapper: Mapper[Any], signer: SnapshotSigner) -> None:
        super().__init__(transcoder=mapper.transcoder, compressor=mapper.compressor,
                         cipher=mapper.cipher)
        self.signer = signer

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if isinstance(domain_event, SealedSnapshot) and domain_event.verified:
            domain_event = dataclasses.replace(domain_event, verified=False)  # type: ignore[call-arg]
        stored = super().to_stored_event(domain_event)
        if stored.topic != SEALED_TOPIC:
            return stored
        return dataclasses.replace(stored, state=stored.state + self.signer.seal(stored,
                                                                                  stored.state))

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        if stored_event.topic != SEALED_TOPIC:
            return super().to_domain_event(stored_event)
        body, tag = stored_event.state[:-TAG_BYTES], stored_event.state[-TAG_BYTES:]
        verified = len(stored_event.state) > TAG_BYTES and hmac.compare_digest(
            tag, self.signer.seal(stored_event, body))
        try:
            snapshot = super().to_domain_event(dataclasses.replace(stored_event, state=body))
        except MapperDeserialisationError:
            if verified:
                raise
            snapshot = super().to_domain_event(stored_event)  # its MAC cut off, perhaps
        return dataclasses.replace(snapshot, verified=verified)  # type: ignore[type-var]
