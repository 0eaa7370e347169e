"""Login throttling: at most 5 failures in 15 minutes per (username, client address).

The failures are rows of a small table beside the event store (its SQLite file, or its
PostgreSQL schema, through the event store's own connection pool), so every worker and every
server on one store counts the same failures. Rows older than the window are deleted as new
failures arrive. A row keeps only a hash of username and address: no address is stored.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from orchestrator.errors import RateLimited

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
TABLE = "alur_login_failures"


class LoginThrottle:
    """A sliding window of failed logins, shared through the store."""

    def __init__(self, datastore: Any, max_failures: int = MAX_FAILURES,
                 window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.time) -> None:
        self.datastore = datastore
        self.max_failures = max_failures
        self.window = window
        self.clock = clock  # wall-clock seconds: servers on other machines compare them
        self.postgres = isinstance(datastore, PostgresDatastore)
        self.table = f'"{datastore.schema}".{TABLE}' if self.postgres else TABLE
        self._create_table()

    @classmethod
    def beside(cls, application: Any) -> LoginThrottle:
        """The throttle stored with an eventsourcing application's events."""
        return cls(application.recorder.datastore)

    def check(self, username: str, address: str) -> None:
        """Raise RateLimited while this username has failed too often from this address."""
        since = self.clock() - self.window
        rows = self._run((f"SELECT COUNT(*) AS n, MIN(failed_at) AS first FROM {self.table} "
                          "WHERE login_key = %s AND failed_at > %s",
                          (_key(username, address), since)), commit=False)
        count, first = rows[0]["n"], rows[0]["first"]
        if count >= self.max_failures:
            wait = int(first - since) + 1
            raise RateLimited(f"too many failed logins; try again in {wait} seconds",
                              retry_after=wait)

    def failed(self, username: str, address: str) -> None:
        """Count one failure, and forget failures that have left the window."""
        now = self.clock()
        self._run((f"INSERT INTO {self.table} (login_key, failed_at) VALUES (%s, %s)",
                   (_key(username, address), now)),
                  (f"DELETE FROM {self.table} WHERE failed_at <= %s", (now - self.window,)))

    def succeeded(self, username: str, address: str) -> None:
        self._run((f"DELETE FROM {self.table} WHERE login_key = %s", (_key(username, address),)))

    def _create_table(self) -> None:
        real = "DOUBLE PRECISION" if self.postgres else "REAL"
        statements = [f"CREATE TABLE IF NOT EXISTS {self.table} "
                      f"(login_key TEXT NOT NULL, failed_at {real} NOT NULL)",
                      f"CREATE INDEX IF NOT EXISTS {TABLE}_key ON {self.table} "
                      "(login_key, failed_at)",
                      f"CREATE INDEX IF NOT EXISTS {TABLE}_at ON {self.table} (failed_at)"]
        with self.datastore.transaction(commit=True) as cursor:
            if self.postgres:  # servers starting together: CREATE IF NOT EXISTS is not atomic
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.table,))
            for statement in statements:
                cursor.execute(statement)

    def _run(self, *statements: tuple[str, tuple[Any, ...]], commit: bool = True) -> list[Any]:
        """Run the statements in one transaction; the rows of the last one if reading."""
        with self.datastore.transaction(commit=commit) as cursor:
            for sql, params in statements:
                cursor.execute(sql if self.postgres else sql.replace("%s", "?"), params)
            return [] if commit else list(cursor.fetchall())


def _key(username: str, address: str) -> str:
    return hashlib.sha256(f"{username.casefold()}\0{address}".encode()).hexdigest()
