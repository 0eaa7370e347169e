"""Login throttling: a sliding window of failures per (username, client address).

In-process: with several workers each keeps its own window, so the effective limit is
``workers × MAX_FAILURES``; argon2's cost per attempt bounds guessing speed in any case.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from orchestrator.errors import RateLimited

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, username: str, address: str) -> None:
        """Raise RateLimited while this username has failed too often from this address."""
        with self._lock:
            recent = self._recent((username.casefold(), address))
            if len(recent) >= self.max_failures:
                wait = int(self.window - (time.monotonic() - recent[0])) + 1
                raise RateLimited(f"too many failed logins; try again in {wait} seconds",
                                  retry_after=wait)

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._recent((username.casefold(), address)).append(time.monotonic())

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.casefold(), address), None)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and time.monotonic() - failures[0] > self.window:
            failures.popleft()
        return failures
