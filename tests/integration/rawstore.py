"""Raw SQL on the real event store, around the application: what a tamperer with database
access could do (SQLite table ``stored_events``; PostgreSQL ``alur_events`` in the test schema)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg

from alur.config import Config


class RawStore:
    """Read and tamper with stored events by SQL, bypassing every line of Alur."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.postgres = config.is_postgres
        self.table = "alur_events" if self.postgres else "stored_events"
        self.snapshot_table = "alur_snapshots" if self.postgres else "stored_snapshots"

    def states(self, case_id: UUID) -> dict[int, bytes]:
        rows = self._query(f"SELECT originator_version, state FROM {self.table} "
                           "WHERE originator_id = {p} ORDER BY originator_version", case_id)
        return {int(version): bytes(state) for version, state in rows}

    def set_state(self, case_id: UUID, version: int, state: bytes) -> None:
        self._execute(f"UPDATE {self.table} SET state = {{p}} WHERE originator_id = {{p}} "
                      "AND originator_version = {p}", state, case_id, version)

    def delete(self, case_id: UUID, version: int) -> None:
        self._execute(f"DELETE FROM {self.table} WHERE originator_id = {{p}} "
                      "AND originator_version = {p}", case_id, version)

    def swap_states(self, case_id: UUID, first: int, second: int) -> None:
        states = self.states(case_id)
        self.set_state(case_id, first, states[second])
        self.set_state(case_id, second, states[first])

    def snapshots(self, stream: UUID) -> dict[int, tuple[str, bytes]]:
        """Every stored snapshot of a stream: version → (topic, state)."""
        rows = self._query(f"SELECT originator_version, topic, state FROM {self.snapshot_table} "
                           "WHERE originator_id = {p} ORDER BY originator_version", stream)
        return {int(version): (topic, bytes(state)) for version, topic, state in rows}

    def set_snapshot(self, stream: UUID, version: int, topic: str, state: bytes) -> None:
        self._execute(f"UPDATE {self.snapshot_table} SET topic = {{p}}, state = {{p}} "
                      "WHERE originator_id = {p} AND originator_version = {p}",
                      topic, state, stream, version)

    def all_bytes(self) -> bytes:
        """Every byte of every stored event and snapshot, as the database holds them."""
        snapshots = "alur_snapshots" if self.postgres else "stored_snapshots"
        chunks = []
        for table in (self.table, snapshots):
            for row in self._query(f"SELECT * FROM {table}"):
                chunks.extend(_bytes(value) for value in row)
        return b"\n".join(chunks)

    def whole_database(self) -> bytes:
        """Every byte the store keeps: SQLite files (events, projections, WAL) or every table
        of the PostgreSQL test schema."""
        if not self.postgres:
            files = sorted(self.config.data_dir.glob("*.sqlite*"))
            return b"\n".join(path.read_bytes() for path in files)
        tables = self._query("SELECT table_name FROM information_schema.tables "
                             "WHERE table_schema = current_schema()")
        chunks = []
        for (table,) in tables:
            for row in self._query(f'SELECT * FROM "{table}"'):
                chunks.extend(_bytes(value) for value in row)
        return b"\n".join(chunks)

    def _query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self._connect() as (conn, marker):
            return list(conn.execute(sql.replace("{p}", marker), self._params(params)))

    def _execute(self, sql: str, *params: Any) -> None:
        with self._connect() as (conn, marker):
            conn.execute(sql.replace("{p}", marker), self._params(params))
            conn.commit()

    def _params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(p.hex if isinstance(p, UUID) and not self.postgres else p for p in params)

    @contextmanager
    def _connect(self) -> Iterator[tuple[Any, str]]:
        if not self.postgres:
            conn = sqlite3.connect(self.config.url.removeprefix("sqlite:///"))
            try:
                yield conn, "?"
            finally:
                conn.close()
            return
        base, _, query = self.config.url.partition("?")
        schema = query.removeprefix("schema=")
        with psycopg.connect(base) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            yield conn, "%s"


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode("utf-8")
