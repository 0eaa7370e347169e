"""Read-model storage on both stores: the SQL is written once, the dialects differ only here.

A view is an eventsourcing TrackingRecorder (its position is a tracking record) that also owns
some tables. ``write(tracking, statements)`` runs the statements and records the tracking in one
transaction: a crash leaves either both or neither, and a replayed notification is refused by
the library's tracking table (exactly-once effect).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, cast

from eventsourcing.persistence import Tracking, WaitInterruptedError
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Composed

Statement = tuple[str, dict[str, Any]]
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_INDEX = re.compile(r"^CREATE INDEX IF NOT EXISTS (\w+) ON", re.IGNORECASE)


class _BatchState(threading.local):
    """What a batch of the calling thread holds (see ``SqlView.batch``)."""

    cursor: Any = None
    tracking: Tracking | None = None
    memo: dict[Any, Any] | None = None

    def __init__(self) -> None:
        self.runs: list[tuple[str, list[dict[str, Any]]]] = []


class SqlView:
    """Portable part of a view: table DDL and row access with ``:name`` parameters."""

    tables: Sequence[str] = ()  # table names, dropped on rebuild
    # tables an earlier version kept, which its DDL migrates away (a rebuild drops them too)
    retired_tables: Sequence[str] = ()
    ddl: Sequence[str] = ()  # CREATE TABLE / INDEX IF NOT EXISTS statements
    # indexes no handler's statement uses (only the API's reads): a rebuild builds them once
    # after its replay instead of row by row during it
    rebuild_deferred: Sequence[str] = ()

    def write(self, tracking: Tracking, statements: Iterable[Statement]) -> None:
        """Apply one notification: its rows and its tracking record, all or nothing."""
        batch = self._batch()
        if batch.cursor is not None:  # inside batch(): the whole batch commits together
            runs = batch.runs
            for sql, params in statements:
                if runs and runs[-1][0] == sql:
                    runs[-1][1].append(params)
                else:
                    runs.append((sql, [params]))
            batch.tracking = tracking
            return
        with self._transaction(commit=True) as cursor:
            for sql, params in statements:
                cursor.execute(self._sql(sql), params)
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Apply many notifications in one transaction that ends with the last one's tracking
        record: a crash leaves the batch wholly applied or not at all (commits dominated the
        cost of catching up one notification at a time).

        Inside it, writes wait in runs of the same statement and go to the database as one
        ``executemany`` each (a rebuild writes thousands of rows of few shapes; one call per
        row was most of its cost), in their order, before any read and at the end."""
        state = self._batch()
        with self._transaction(commit=True) as cursor, self._pipelined(cursor):
            state.cursor, state.tracking, state.memo, state.runs = cursor, None, {}, []
            try:
                yield
                self._flush(state)
                if state.tracking is not None:  # (the library reads its answer)
                    insert = self._insert_tracking
                    insert(self._answer_cursor(cursor), state.tracking)
            finally:
                state.cursor, state.tracking, state.memo, state.runs = None, None, None, []

    def _flush(self, state: _BatchState) -> None:
        for sql, rows in state.runs:
            if len(rows) == 1:
                state.cursor.execute(self._sql(sql), rows[0])
            else:
                state.cursor.executemany(self._sql(sql), rows)
        state.runs.clear()

    def memo(self) -> dict[Any, Any]:
        """What a projection has read or written in this batch, by its own keys, so that a
        later event of the batch need not ask the database again (a read in pipeline mode
        waits for every write before it). It lives exactly as long as the batch's
        transaction: nothing in it can be stale, as the batch is the only writer while it
        holds its uncommitted rows, and a rolled-back batch takes its memo with it. Outside
        a batch every call gives a new, empty one."""
        memo = self._batch().memo
        return {} if memo is None else memo

    def wait(self, application_name: str, notification_id: int | None,
             timeout: float = 1.0, interrupt: threading.Event | None = None) -> None:
        """Block until the view has processed ``notification_id`` (read-your-writes).

        The library's wait first sleeps 100 ms, doubling to 800 ms; a runner usually needs a
        few milliseconds, and a synchronous server worker blocked in that sleep serves no
        one. Poll from 2 ms, doubling to 50 ms."""
        deadline = time.monotonic() + timeout
        pause = 0.002
        while not self.has_tracking_id(application_name, notification_id):  # type: ignore[attr-defined]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"view has not reached notification {notification_id}")
            if interrupt is not None and interrupt.wait(min(pause, remaining)):
                raise WaitInterruptedError
            if interrupt is None:
                time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.05)

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        state = self._batch()
        if state.cursor is not None:  # a projection reading its own uncommitted batch
            self._flush(state)
            cursor = self._answer_cursor(state.cursor)
            cursor.execute(self._sql(sql), params or {})
            return [dict(row) for row in cursor.fetchall()]
        with self._transaction(commit=False) as cursor:
            cursor.execute(self._sql(sql), params or {})
            return [dict(row) for row in cursor.fetchall()]

    def _batch(self) -> _BatchState:
        """Batch state of the calling thread (API threads read while the runner writes)."""
        state = self.__dict__.get("_batch_state")
        if state is None:  # setdefault is atomic: two first callers share one
            state = self.__dict__.setdefault("_batch_state", _BatchState())
        return cast(_BatchState, state)

    def drop(self, application_name: str) -> None:
        """Drop the read tables and forget the position, then recreate empty tables."""
        with self._transaction(commit=True) as cursor:
            for table in (*self.tables, *self.retired_tables):
                cursor.execute(self._sql(f"DROP TABLE IF EXISTS {table}"))
            cursor.execute(self._sql(self._delete_tracking_sql()), {"app": application_name})
        self.create_table()  # type: ignore[attr-defined]

    def deferred_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the indexes a rebuild builds after its replay."""
        found = ((_INDEX.match(statement), statement) for statement in self.ddl)
        return [(match.group(1), statement) for match, statement in found
                if match and match.group(1) in self.rebuild_deferred]

    def drop_deferred_indexes(self) -> None:
        """Before a replay into empty tables: what no handler reads is built afterwards, in
        one sort per index, as a bulk load does (``create_deferred_indexes``)."""
        with self._transaction(commit=True) as cursor:
            for name, _ in self.deferred_indexes():
                cursor.execute(self._sql(f"DROP INDEX IF EXISTS {self._index(name)}"))

    def create_deferred_indexes(self) -> None:
        with self._transaction(commit=True) as cursor:
            for _, statement in self.deferred_indexes():
                cursor.execute(self._sql(statement))

    def _index(self, name: str) -> str:
        return name

    def analyze(self) -> None:
        """Refresh the query planner's statistics (a rebuild has just rewritten every row)."""
        with self._transaction(commit=True) as cursor:
            for table in self.tables:
                cursor.execute(self._sql(f"ANALYZE {table}"))

    def _pipelined(self, cursor: Any) -> AbstractContextManager[Any]:
        """Where the driver can, send a batch's statements without waiting for each answer."""
        return nullcontext()

    def _answer_cursor(self, batch: Any) -> Any:
        """The cursor for a statement of a batch whose answer is read (the batch's own,
        where nothing is pipelined)."""
        return batch

    def _transaction(self, commit: bool) -> Any:
        return self.datastore.transaction(commit=commit)  # type: ignore[attr-defined]

    def _sql(self, sql: str) -> str:
        return sql

    def _delete_tracking_sql(self) -> str:
        raise NotImplementedError


class SQLiteSqlView(SqlView, SQLiteTrackingRecorder):
    # A read model is rebuilt from the log, so its file need not fsync every commit as the
    # event store's must: in WAL mode ``synchronous = NORMAL`` stays consistent after a
    # crash and may lose only the last commits, which the runner then applies again (their
    # tracking records went with them). A larger page cache keeps the random-keyed indexes
    # (UUIDs) in memory while a rebuild or a long catch-up writes them.
    WRITER_PRAGMAS = ("PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -32768")

    @contextmanager
    def _transaction(self, commit: bool) -> Iterator[Any]:
        with self.datastore.get_connection(commit=commit) as connection:
            if commit and not getattr(connection, "alur_tuned", False):
                raw = connection._sqlite_conn  # pragmas must precede the BEGIN
                for pragma in self.WRITER_PRAGMAS:
                    raw.execute(pragma)
                connection.alur_tuned = True  # type: ignore[attr-defined]
            with connection.transaction(commit=commit) as cursor:
                yield cursor

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.ddl]

    def _delete_tracking_sql(self) -> str:
        return "DELETE FROM tracking WHERE application_name = :app"


class PostgresSqlView(SqlView, PostgresTrackingRecorder):
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        named = (*self.tables, *self.retired_tables)
        self._tables = re.compile(r"\b(" + "|".join(map(re.escape, named)) + r")\b")
        self.sql_create_statements.extend(Composed([SQL(self._qualify(s))]) for s in self.ddl)

    def _qualify(self, sql: str) -> str:
        """Tables live in the datastore's schema (tests give each run its own)."""
        return self._tables.sub(rf'"{self.datastore.schema}".\1', sql)

    def _sql(self, sql: str) -> str:
        cache = self.__dict__.setdefault("_sql_cache", {})  # a view has few distinct statements
        converted = cache.get(sql)
        if converted is None:
            if len(cache) > 256:
                cache.clear()
            converted = cache[sql] = _NAMED.sub(r"%(\1)s", self._qualify(sql).replace("%", "%%"))
        return converted

    def _index(self, name: str) -> str:
        return f'"{self.datastore.schema}".{name}'

    def _pipelined(self, cursor: Any) -> AbstractContextManager[Any]:
        """psycopg's pipeline mode: a batch's writes stream to the server without a round
        trip each (a read inside the batch syncs first, so it sees the writes before it).
        An error surfaces at the next sync and rolls the whole batch back, like any other
        database error in a batch."""
        return cast(AbstractContextManager[Any], cursor.connection.pipeline())

    def _answer_cursor(self, batch: Any) -> Any:
        """A new cursor on the batch's connection. In pipeline mode the answers to earlier
        statements reach the cursor that sent them whenever the server happens to flush;
        on the batch's cursor such an answer could land after the read was sent and be
        taken for the read's rows (psycopg fetches only while a cursor has no result)."""
        return batch.connection.cursor()

    def _delete_tracking_sql(self) -> str:
        return (f'DELETE FROM "{self.datastore.schema}".{self.tracking_table_name}'
                " WHERE application_name = :app")
