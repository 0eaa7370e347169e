"""Fresh stores for one run (SQLite in a temp dir, PostgreSQL in a schema of its own) and the
bare database connections the baselines write to, beside each store."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
from psycopg import sql

from alur.bootstrap import Services, bootstrap, deploy_all, seed_demo_users
from alur.config import Config

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
KINDS = ("sqlite", "postgres")


def postgres_url() -> str:
    return os.environ.get("ALUR_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def postgres_reachable(url: str) -> str:
    """An empty string when PostgreSQL answers, else the reason it does not."""
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        return str(exc).strip()
    return ""


@dataclass(frozen=True)
class Store:
    """One fresh, empty event store and the place its baselines live."""

    kind: str
    config: Config
    directory: Path  # temp dir: SQLite files (store, projections, baselines)
    base_url: str = ""  # PostgreSQL server URL without the schema
    schema: str = ""


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@contextmanager
def fresh_store(kind: str, purpose: str, pg_url: str) -> Iterator[Store]:
    """A new store for one purpose; every file and the schema are removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix=f"alur-bench-{purpose}-"))
    try:
        if kind == "sqlite":
            yield Store(kind, Config(data_dir=directory, secret_key="bench"), directory)
            return
        schema = f"bench_{purpose}_{uuid4().hex[:10]}"
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            config = Config(database_url=_with_schema(pg_url, schema), data_dir=directory,
                            secret_key="bench")
            yield Store(kind, config, directory, pg_url, schema)
        finally:
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def services_on(store: Store) -> Iterator[Services]:
    """The composed service on a store, every process deployed and the demo users seeded (as
    ``alur serve`` does; forms' user fields name them)."""
    services = bootstrap(store.config)
    try:
        deploy_all(services)
        seed_demo_users(services)
        yield services
    finally:
        services.close()
        _close_projection_pools(services)


def _close_projection_pools(services: Services) -> None:
    """``Services.close()`` leaves each projection view's own connection pool open (on
    PostgreSQL 11 idle connections per service until the process ends); close them, so that
    a run does not exhaust the server's ``max_connections``."""
    for name in services.projections.projections:
        datastore = getattr(services.projections.view(name), "datastore", None)
        if datastore is not None:
            datastore.close()


class RawDb:
    """A bare DB-API connection beside a store, for baselines: on SQLite a separate file in
    the store's directory, in WAL mode like the event store; on PostgreSQL the store's schema.
    Statements use ``?`` placeholders on both."""

    def __init__(self, store: Store, name: str) -> None:
        self.kind = store.kind
        self._conn: Any
        if store.kind == "sqlite":
            self._conn = sqlite3.connect(store.directory / f"{name}.sqlite", isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._prefix = ""
        else:
            self._conn = psycopg.connect(store.base_url)
            self._prefix = f'"{store.schema}".'

    def table(self, name: str) -> str:
        return f"{self._prefix}{name}"

    def _sql(self, text: str) -> str:
        return text if self.kind == "sqlite" else text.replace("?", "%s")

    def begin(self) -> None:
        if self.kind == "sqlite":
            self._conn.execute("BEGIN")

    def commit(self) -> None:
        if self.kind == "sqlite":
            self._conn.execute("COMMIT")
        else:
            self._conn.commit()

    def execute(self, text: str, params: Sequence[Any] = ()) -> None:
        self._conn.execute(self._sql(text), params)

    def executemany(self, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if self.kind == "sqlite":
            self._conn.executemany(text, rows)
        else:
            with self._conn.cursor() as cursor:
                cursor.executemany(self._sql(text), rows)

    def close(self) -> None:
        self._conn.close()


@contextmanager
def raw_db(store: Store, name: str) -> Iterator[RawDb]:
    db = RawDb(store, name)
    try:
        yield db
    finally:
        db.close()
