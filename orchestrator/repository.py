"""The aggregate repository: its cache made safe for threads, and snapshots trusted only when
they prove they are ours.

The library's cache fast-forwards a cached aggregate in place under a per-aggregate lock, but
deep-copies it for the caller *after* releasing that lock: a copy can then catch another
thread's fast-forward half done (a newer version with older state, or a dict changing size
mid-copy). Here the whole cached read, fast-forward and copy, holds one of a fixed set of
striped locks, so reads of one aggregate are serialised and reads of others are not.

The library loads the latest snapshot as the truth. Here a snapshot whose MAC does not verify
(rewritten in the database, or written before snapshots were signed) is ignored with a
warning, and the aggregate is rebuilt from its events.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from itertools import chain
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from orchestrator.engine.catalog import ModelNotLoaded
from orchestrator.snapshots import SnapshotSigner

STRIPES = 64
T = TypeVar("T")
log = logging.getLogger(__name__)


class StripedCacheRepository(Repository[UUID]):
    def __init__(self, *args: Any, signer: SnapshotSigner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signer = signer
        # (key, version, sha256) -> parse that version (set by the application service)
        self.load_model: Callable[[str, int, str], None] | None = None
        self._stripes = [threading.Lock() for _ in range(STRIPES)]

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        return self.with_models(lambda: self._get(aggregate_id, version, **kwargs))

    def _get(self, aggregate_id: UUID, version: int | None, **kwargs: Any) -> Any:
        if not self.cache or version is not None:
            return super().get(aggregate_id, version=version, **kwargs)
        with self._stripes[hash(aggregate_id) % STRIPES]:
            return super().get(aggregate_id, **kwargs)

    def with_models(self, read: Callable[[], T]) -> T:
        """``read()``; when an applier needs a deployed version this process has not parsed
        (an activation stored by reference, engine/catalog.py), load it, outside any stripe
        lock, and read again (an applier raises before it changes anything)."""
        loaded: set[str] = set()
        while True:
            try:
                return read()
            except ModelNotLoaded as missing:
                if self.load_model is None or missing.sha256 in loaded:
                    raise
                loaded.add(missing.sha256)
                self.load_model(missing.key, missing.version, missing.sha256)

    def _reconstruct_aggregate(self, aggregate_id: UUID, version: int | None,
                               projector_func: Any) -> Any:
        """The library's reconstruction, from a snapshot only if it carries a valid MAC."""
        snapshot = self.trusted_snapshot(aggregate_id, version)
        events = self.event_store.get(
            originator_id=aggregate_id, lte=version,
            gt=snapshot.originator_version if snapshot is not None else None)
        aggregate = projector_func(None, chain([snapshot] if snapshot else [], events))
        if aggregate is None:
            raise AggregateNotFoundError(
                f"Aggregate {aggregate_id!r} version {version!r} not found.")
        return aggregate

    def trusted_snapshot(self, aggregate_id: UUID, version: int | None = None) -> Any:
        """The latest snapshot up to ``version`` if it proves it is ours, else None."""
        if self.snapshot_store is None:
            return None
        try:
            latest = list(self.snapshot_store.get(aggregate_id, desc=True, limit=1, lte=version))
        except Exception as exc:  # a snapshot row that no longer decodes: events still do
            log.warning("snapshot of %s does not decode (%s): rebuilding from its events",
                        aggregate_id, exc)
            return None
        if not latest:
            return None
        if not self.signer.is_valid(latest[0]):
            log.warning("snapshot of %s at version %d has no valid MAC: ignored, rebuilding "
                        "from its events", aggregate_id, latest[0].originator_version)
            return None
        return latest[0]
