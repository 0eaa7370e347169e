"""The aggregate repository with its cache made safe for threads.

The library's cache fast-forwards a cached aggregate in place under a per-aggregate lock, but
deep-copies it for the caller *after* releasing that lock: a copy can then catch another
thread's fast-forward half done (a newer version with older state, or a dict changing size
mid-copy). Here the whole cached read, fast-forward and copy, holds one of a fixed set of
striped locks, so reads of one aggregate are serialised and reads of others are not.
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository

STRIPES = 64


class StripedCacheRepository(Repository[UUID]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stripes = [threading.Lock() for _ in range(STRIPES)]

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        if not self.cache or version is not None:
            return super().get(aggregate_id, version=version, **kwargs)
        with self._stripes[hash(aggregate_id) % STRIPES]:
            return super().get(aggregate_id, **kwargs)
