"""Follow the event log and feed the projections; catch up, rebuild, report lag.

SQLite recorders cannot subscribe, so one catch-up loop over ``select_notifications`` serves both
stores: each batch starts after the view's own tracked position, and the view writes rows and
tracking in one transaction, so a crash at any point resumes without double effects.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Notification,
    PersistenceError,
    Tracking,
)
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment, resolve_topic

from projections.skipped import record_skipped, skipped_count
from projections.skipped import skipped as skipped_list
from projections.sql import SqlView

log = logging.getLogger(__name__)
BATCH = 500
REBUILD_BATCH = 5000  # nobody waits on a rebuild's intermediate positions: fewer commits
DATABASE_ERRORS = (PersistenceError, sqlite3.Error, psycopg.Error)  # retried, never skipped


class BadNotification(Exception):
    """A notification that cannot be applied: it does not decode, or its handler fails."""

    def __init__(self, notification: Notification, error: Exception) -> None:
        super().__init__(f"notification {notification.id} ({notification.topic}): {error}")
        self.notification, self.error = notification, error


@dataclass(frozen=True)
class ProjectionSpec:
    """How to build one projection: its class and the view class for each store."""

    projection_class: type[Projection[Any]]
    sqlite_view: type[SqlView]
    postgres_view: type[SqlView]


def _passes_over(projection_class: type[Projection[Any]], topic: str) -> bool:
    """Whether the projection's handler for events of ``topic`` is its default one, which
    only advances its position: then the event need not be decoded (a quarter of the log is
    registration counters and directories no read model shows). An unknown topic is decoded,
    so that its failure is seen and recorded."""
    handler = next((vars(k)["process_event"] for k in projection_class.__mro__
                    if "process_event" in vars(k)), None)
    if not isinstance(handler, singledispatchmethod):
        return False
    try:
        event_class = resolve_topic(topic)
    except Exception:  # reported when decoding it fails
        return False
    dispatch = handler.dispatcher.dispatch
    return dispatch(event_class) is dispatch(object)


def _decoded(decode: Callable[[Notification], Any], notification: Notification) -> Any:
    try:
        return decode(notification)
    except Exception as exc:  # garbage state, an unknown topic, …: the record is at fault
        raise BadNotification(notification, exc) from exc


class Projections:
    """The projections of one deployment, each with its own view (own file on SQLite)."""

    def __init__(self, app: Application[Any], specs: list[ProjectionSpec],
                 env_for: Callable[[str], dict[str, str]], in_process: bool = True) -> None:
        self.app = app
        # False when a separate runner process writes the views: then this process only reads
        self.in_process = in_process
        self.projections: dict[str, Projection[Any]] = {}
        for spec in specs:
            name = spec.projection_class.name
            env = env_for(name)
            postgres = env["PERSISTENCE_MODULE"].endswith("postgres")
            view_class = spec.postgres_view if postgres else spec.sqlite_view
            factory = InfrastructureFactory.construct(env=Environment(name, env))
            view = factory.tracking_recorder(view_class)  # type: ignore[arg-type]
            self.projections[name] = spec.projection_class(view)
        self._topics: dict[str, dict[str, bool]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def view(self, name: str) -> Any:
        return self.projections[name].view

    def _passes_over(self, projection: Projection[Any]) -> Callable[[str], bool]:
        """``_passes_over`` for this projection, answered once per topic."""
        known: dict[str, bool] = self._topics.setdefault(projection.name, {})

        def passes_over(topic: str) -> bool:
            answer = known.get(topic)
            if answer is None:
                answer = known[topic] = _passes_over(type(projection), topic)
            return answer
        return passes_over

    def catch_up(self, names: list[str] | None = None) -> int:
        """Process every notification not yet tracked; returns how many were applied."""
        with self._lock:
            return sum(self._catch_up_one(self.projections[n]) for n in names or self.projections)

    def _catch_up_one(self, projection: Projection[Any], limit: int = BATCH) -> int:
        done = 0
        recorder, name = self.app.recorder, self.app.name
        while True:
            start = (projection.view.max_tracking_id(name) or 0) + 1
            batch = recorder.select_notifications(start=start, limit=limit)
            if not batch:
                return done
            try:
                done += self._apply(projection, batch)
            except IntegrityError:  # another runner got there first: re-read the position
                continue

    def _apply(self, projection: Projection[Any], batch: Sequence[Notification]) -> int:
        """Apply a batch in one transaction. A bad notification rolls it back; then the ones
        before it are applied again and it is recorded as skipped (with its tracking record),
        so one bad event neither stops the projection nor is lost from sight."""
        decode, name = self.app.mapper.to_domain_event, self.app.name
        process = projection.process_event  # bound once: singledispatch binds on every access
        write, passes_over = projection.view.write, self._passes_over(projection)
        applied = 0
        try:
            with projection.view.batch():
                for notification in batch:
                    tracking = Tracking(name, notification.id)
                    if passes_over(notification.topic):
                        write(tracking, [])
                    else:
                        process(_decoded(decode, notification), tracking)
                    applied += 1
            return len(batch)
        except DATABASE_ERRORS:
            raise
        except Exception as exc:
            bad = exc if isinstance(exc, BadNotification) else BadNotification(batch[applied], exc)
        if applied:
            self._apply(projection, batch[:applied])
        log.error("projection %s skips notification %s (%s v%s, %s): %s", projection.name,
                  bad.notification.id, bad.notification.originator_id,
                  bad.notification.originator_version, bad.notification.topic, bad.error)
        record_skipped(projection.view, name, bad.notification, bad.error)
        return applied + 1

    def rebuild(self, name: str) -> int:
        """Drop the view's tables and position, then replay the whole log into it."""
        with self._lock:
            view = self.projections[name].view
            view.drop(self.app.name)
            view.drop_deferred_indexes()
            try:
                applied = self._catch_up_one(self.projections[name], REBUILD_BATCH)
            finally:  # a failed rebuild still leaves every index in place
                view.create_deferred_indexes()
            view.analyze()
            return applied

    def status(self) -> list[dict[str, Any]]:
        head = self.app.recorder.max_notification_id() or 0
        rows = []
        for name, projection in self.projections.items():
            position = projection.view.max_tracking_id(self.app.name) or 0
            rows.append({"name": name, "position": position, "head": head, "lag": head - position,
                         "skipped": skipped_count(projection.view)})
        return rows

    def skipped(self, name: str) -> list[dict[str, Any]]:
        """The notifications projection ``name`` could not apply, oldest first."""
        return skipped_list(self.projections[name].view)

    def wait(self, position: int | None, timeout: float = 2.0) -> bool:
        """Read-your-writes: True once every projection has reached ``position``."""
        if not position:
            return True
        if self.in_process and self._thread is None:  # no background thread: catch up here
            self.catch_up()
        else:
            self._wake.set()
        try:
            for projection in self.projections.values():
                projection.view.wait(self.app.name, position, timeout=timeout)
        except TimeoutError:
            return False
        return True

    def poke(self) -> None:
        self._wake.set()

    def refresh(self) -> None:
        """Bring the views up to date now if this process writes them, else wait a little."""
        if self.in_process:
            self.catch_up()
        else:
            head = self.app.recorder.max_notification_id()
            self.wait(head, timeout=2.0)

    def start(self, interval: float = 0.5) -> None:
        """Follow the log in a background thread (inside ``alur serve``)."""
        self._thread = threading.Thread(target=self._loop, args=(interval,), daemon=True,
                                        name="alur-projections")
        self._thread.start()

    def run_forever(self, interval: float = 0.5) -> None:
        self._loop(interval)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def close(self) -> None:
        """Stop following and release the views' connections (pools on PostgreSQL)."""
        self.stop()
        for projection in self.projections.values():
            projection.view.datastore.close()

    def _loop(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.catch_up()
            except Exception:  # keep following; the error is logged and retried
                log.exception("projection catch-up failed")
            self._wake.wait(interval)
            self._wake.clear()
