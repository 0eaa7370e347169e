"""Password hashing with Argon2id (memory-hard), via argon2-cffi, a few hashes at a time.

Each hash takes 64 MiB and a core for a while: a crowd of logins would otherwise run one hash
per server thread at once (40 parallel failed logins drove a server to 2.3 GB and seconds of
latency). ``GATE`` lets as many hashes run as the process has cores; a request waits a short
moment for a slot and is then refused with ``HashingBusy`` (429 with Retry-After at the edge).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from orchestrator.errors import RateLimited

_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("timing-equaliser")
WAIT_SECONDS = 0.5  # about five hashes' time: a short burst queues, a crowd is refused


class HashingBusy(RateLimited):
    """Every hashing slot stayed taken for the whole wait: try again in a moment."""


class HashGate:
    """At most ``size`` hashes at once; a caller waits up to ``wait`` seconds for a slot."""

    def __init__(self, size: int, wait: float = WAIT_SECONDS) -> None:
        self.size = size
        self.wait = wait
        self._slots = threading.BoundedSemaphore(size)
        self._count = threading.Lock()
        self.running = 0  # hashes running now
        self.peak = 0  # most hashes ever running at once (for tests and benchmarks)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one hashing slot, or raise HashingBusy."""
        if not self._slots.acquire(timeout=self.wait):
            raise HashingBusy("the server is busy checking other passwords; try again shortly",
                              retry_after=1)
        with self._count:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            yield
        finally:
            with self._count:
                self.running -= 1
            self._slots.release()


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


GATE = HashGate(max(1, _cores()))


def hash_password(password: str) -> str:
    with GATE.slot():
        return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; spends the same time when there is no such user."""
    with GATE.slot():
        try:
            return _HASHER.verify(password_hash or _DUMMY, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False
