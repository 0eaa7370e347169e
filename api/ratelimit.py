"""Per-address token buckets for the public portal (in memory, per process).

With several workers each keeps its own buckets, so the effective rate is ``workers × rate``;
that bounds abuse well enough for a public intake form behind a reverse proxy.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from orchestrator.errors import RateLimited


@dataclass(frozen=True)
class Rate:
    """``capacity`` requests at once, refilled at one per ``per_seconds``."""

    capacity: int
    per_seconds: float


class TokenBuckets:
    """One bucket per (purpose, client address)."""

    MAX_KEYS = 50_000  # forget the oldest buckets beyond this many addresses

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, purpose: str, address: str, rate: Rate) -> None:
        """Spend one token, or raise RateLimited with the seconds to wait."""
        now = time.monotonic()
        key = (purpose, address)
        with self._lock:
            tokens, last = self._buckets.get(key, (float(rate.capacity), now))
            tokens = min(rate.capacity, tokens + (now - last) / rate.per_seconds)
            if tokens < 1:
                wait = math.ceil((1 - tokens) * rate.per_seconds)
                raise RateLimited(
                    f"Terlalu banyak permintaan dari alamat Anda. Coba lagi dalam {wait} detik.",
                    retry_after=wait)
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > self.MAX_KEYS:
                oldest = min(self._buckets, key=lambda k: self._buckets[k][1])
                del self._buckets[oldest]
