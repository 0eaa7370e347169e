"""Snapshots that prove they are ours: an HMAC-SHA256 over each snapshot's canonical state.

A snapshot row rewritten in the database would otherwise be loaded as the truth (the events it
summarises are not read again). The MAC key is derived (HKDF) from the service secret, which is
kept outside the database, for this one purpose; the repository ignores a snapshot whose MAC
does not verify and rebuilds the aggregate from its events (orchestrator/repository.py).
Snapshots are stored by topic (``orchestrator.snapshots:SignedSnapshot``); those the library
wrote before (``eventsourcing.domain:Snapshot``) carry no MAC and are never trusted.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.domain import Snapshot

from orchestrator.hashchain import canonical

_PURPOSE = b"alur:snapshot-mac:v1"


class SignedSnapshot(Snapshot):
    """The library's snapshot with the MAC that proves this service wrote it."""

    mac: str = ""


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

    def take(self, aggregate: Any) -> SignedSnapshot:
        """A snapshot of the aggregate as it stands, with its MAC."""
        snapshot = _taken(aggregate)
        return SignedSnapshot(originator_id=snapshot.originator_id,
                              originator_version=snapshot.originator_version,
                              timestamp=snapshot.timestamp, topic=snapshot.topic,
                              state=snapshot.state,
                              mac=self._mac(snapshot))  # type: ignore[call-arg]  # the library's dataclass metaclass adds it

    def is_valid(self, snapshot: Any) -> bool:
        """Whether this service wrote the snapshot and nothing in it changed since."""
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
