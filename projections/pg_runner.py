"""``alur projections run`` on PostgreSQL: the library's ProjectionRunner (LISTEN/NOTIFY
subscription), one active runner per projection across processes via an advisory lock."""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
from eventsourcing.projection import ProjectionRunner

from projections.runner import ProjectionSpec

log = logging.getLogger(__name__)


def conninfo(env: dict[str, str]) -> str:
    return psycopg.conninfo.make_conninfo(
        dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"], password=env.get("POSTGRES_PASSWORD") or None)


def lock_key(name: str) -> str:
    return f"alur-projection:{name}"


def run_projection(app_class: type[Any], spec: ProjectionSpec, env: dict[str, str],
                   stop: threading.Event, poll: float = 1.0) -> bool:
    """Run one projection until ``stop`` is set; False if another runner holds it."""
    name = spec.projection_class.name
    with psycopg.connect(conninfo(env), autocommit=True) as lock_conn:
        held = lock_conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))",
                                 (lock_key(name),)).fetchone()
        if not held or not held[0]:
            log.info("projection %s is run by another process", name)
            return False
        log.info("running projection %s", name)
        with ProjectionRunner(application_class=app_class,
                              projection_class=spec.projection_class,
                              view_class=spec.postgres_view, env=env) as runner:
            while not stop.is_set():
                runner.run_forever(timeout=poll)  # re-raises a processing error
        return True
