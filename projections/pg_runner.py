"""``alur projections run`` on PostgreSQL: the library's ProjectionRunner (LISTEN/NOTIFY
subscription), one active runner per projection across processes via an advisory lock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError
from eventsourcing.projection import ProjectionRunner

from projections.runner import ProjectionSpec

log = logging.getLogger(__name__)


def conninfo(env: dict[str, str]) -> str:
    return psycopg.conninfo.make_conninfo(
        dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"], password=env.get("POSTGRES_PASSWORD") or None)


def lock_key(name: str, env: dict[str, str]) -> str:
    """Advisory locks are per database: name the schema too, so deployments sharing a
    database (and test runs) do not block each other."""
    return f"alur-projection:{env.get('POSTGRES_SCHEMA') or 'public'}:{name}"


@contextmanager
def schema_lock(env: dict[str, str]) -> Iterator[None]:
    """Hold while constructing stores: their CREATE TABLE/TYPE IF NOT EXISTS and CREATE OR
    REPLACE FUNCTION are not safe from several processes at once on PostgreSQL (duplicate
    pg_type rows, "tuple concurrently updated"), e.g. gunicorn workers or runners starting
    together. A no-op on SQLite."""
    if not env.get("PERSISTENCE_MODULE", "").endswith("postgres"):
        yield
        return
    with psycopg.connect(conninfo(env), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))",
                     (f"alur-schema:{env.get('POSTGRES_SCHEMA') or 'public'}",))
        yield  # closing the connection releases the lock


def run_projection(app_class: type[Any], spec: ProjectionSpec, env: dict[str, str],
                   stop: threading.Event, poll: float = 1.0) -> bool:
    """Run one projection until ``stop`` is set; False if another runner holds it."""
    name = spec.projection_class.name
    with psycopg.connect(conninfo(env), autocommit=True) as lock_conn:
        held = lock_conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))",
                                 (lock_key(name, env),)).fetchone()
        if not held or not held[0]:
            log.info("projection %s is run by another process", name)
            return False
        log.info("running projection %s", name)
        try:
            with schema_lock(env):
                runner = ProjectionRunner(application_class=app_class,
                                          projection_class=spec.projection_class,
                                          view_class=spec.postgres_view, env=env)
            with runner:
                while not stop.is_set():
                    runner.run_forever(timeout=poll)  # re-raises a processing error
        except IntegrityError:
            # a notification was tracked by someone else (e.g. a rebuild): resubscribe from
            # the view's own position; the caller runs us again
            log.warning("projection %s: position moved under the runner; resubscribing", name)
        return True
