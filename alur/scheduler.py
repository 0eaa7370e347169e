"""The scheduler: fires due timers, reminds and escalates late steps and cases, starts
recurring work. Inside ``alur serve`` (a thread, every ``ALUR_SCHEDULER_INTERVAL`` seconds) or
as its own process (``alur scheduler run``).

Each tick reads the due work from the worklist (``inbox_due``, indexed on ``due_at``: the cost
of finding it does not grow with what is pending) and sends one command per item to the write
side. Every command appends at most one fact and is safe to repeat: a timer already fired, a
step already escalated answers None and appends nothing; two schedulers racing for the same
case lose on its version (``StaleCaseVersion``) and skip it. So exactly-once comes from the
event store, and leadership only saves work: on PostgreSQL one scheduler per database is
active (a session advisory lock, as the projection runner has) and the others stand by; on
SQLite the scheduler belongs to the one serving process (``alur scheduler run`` claims the store
like ``alur serve``, see alur/serving.py).
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

import psycopg

from alur.bootstrap import Services
from alur.config import eventsourcing_env
from orchestrator.application import WITA
from orchestrator.commands import (
    Actor,
    CommandResult,
    EscalateDeadline,
    EscalateTask,
    FireTimer,
    RemindTask,
)
from orchestrator.errors import AlurError, StaleCaseVersion
from orchestrator.policy import SCHEDULER
from orchestrator.schedules import Schedule, load_schedules
from projections.inbox import DEADLINE, ESCALATION, REMINDER, TIMER
from projections.pg_runner import conninfo

log = logging.getLogger(__name__)
ACTOR = Actor(SCHEDULER)
BATCH = 200  # due items per read; a tick goes on reading until nothing is due


@dataclass
class TickReport:
    """What one tick did: facts appended per kind, races lost, failures."""

    fired: int = 0
    reminded: int = 0
    escalated: int = 0
    started: int = 0
    skipped: int = 0  # already done (by another scheduler), or not due on the write side
    conflicts: int = 0  # lost a race on the case's version: retried next tick
    failed: int = 0
    positions: list[int] = field(default_factory=list)

    @property
    def appended(self) -> int:
        return self.fired + self.reminded + self.escalated + self.started


class Scheduler:
    """One scheduler over one deployment's services."""

    def __init__(self, services: Services, schedules: list[Schedule] | None = None,
                 batch: int = BATCH) -> None:
        self.services = services
        self.schedules = (load_schedules(services.config.processes_dir / "schedules.yaml")
                          if schedules is None else schedules)
        self.batch = batch
        self._started: set[UUID] = set()  # occurrences known to be started (saves a read)
        self._commands: dict[str, Callable[[dict[str, Any], datetime],
                                           CommandResult | None]] = {
            TIMER: self._fire, REMINDER: self._remind, ESCALATION: self._escalate,
            DEADLINE: self._escalate_deadline}

    def tick(self, now: datetime | None = None) -> TickReport:
        """Do everything due at ``now`` (the wall clock by default)."""
        now = now or datetime.now(UTC)
        report = TickReport()
        self._start_recurring(now, report)
        projections = self.services.projections
        if projections.in_process:
            projections.catch_up(["inbox"])
        after: tuple[str, str, str] | None = None
        while rows := self.services.inbox.due_work(now, self.batch, after):
            for row in rows:
                self._run(row, now, report)
            last = rows[-1]
            after = (last["due_at"], last["kind"], last["ref"])
        return report

    def _run(self, row: dict[str, Any], now: datetime, report: TickReport) -> None:
        try:
            result = self._commands[row["kind"]](row, now)
        except StaleCaseVersion:
            report.conflicts += 1
            return
        except AlurError as exc:  # e.g. a timer expression that fails on the case's data
            log.warning("scheduler: %s %s of case %s failed: %s", row["kind"], row["ref"],
                        row["case_id"], exc.message)
            report.failed += 1
            return
        if result is None:
            report.skipped += 1
            return
        report.positions.append(result.position)
        attribute = {TIMER: "fired", REMINDER: "reminded"}.get(row["kind"], "escalated")
        setattr(report, attribute, getattr(report, attribute) + 1)

    def _fire(self, row: dict[str, Any], now: datetime) -> CommandResult | None:
        app = self.services.orchestrator
        return app.fire_timer(FireTimer(UUID(row["case_id"]), row["ref"], ACTOR, now))

    def _remind(self, row: dict[str, Any], now: datetime) -> CommandResult | None:
        if datetime.fromisoformat(row["target_at"]) <= now:
            return None  # already late: the escalation (due as well) says more
        return self.services.orchestrator.remind_task(
            RemindTask(UUID(row["case_id"]), row["ref"], _wita(row["target_at"]), ACTOR))

    def _escalate(self, row: dict[str, Any], now: datetime) -> CommandResult | None:
        return self.services.orchestrator.escalate_task(
            EscalateTask(UUID(row["case_id"]), row["ref"], _wita(row["target_at"]), ACTOR))

    def _escalate_deadline(self, row: dict[str, Any], now: datetime) -> CommandResult | None:
        return self.services.orchestrator.escalate_deadline(
            EscalateDeadline(UUID(row["case_id"]), _wita(row["target_at"]), ACTOR))

    def _start_recurring(self, now: datetime, report: TickReport) -> None:
        app, calendar = self.services.orchestrator, self.services.calendar
        for schedule in self.schedules:
            occurrence = schedule.occurrence(now, calendar.at(now)) if schedule.enabled \
                else None
            if occurrence is None or occurrence.id in self._started:
                continue
            try:
                result = app.start_scheduled(schedule, occurrence, ACTOR)
            except AlurError as exc:
                log.warning("scheduler: schedule %s (%s) could not start: %s", schedule.key,
                            occurrence.period, exc.message)
                report.failed += 1
                continue
            self._started.add(occurrence.id)
            if result is None:
                continue
            report.started += 1
            report.positions.append(result.position)

    def run(self, interval: float, stop: threading.Event,
            on_tick: Callable[[TickReport], None] | None = None,
            on_state: Callable[[str], None] | None = None) -> None:
        """Tick every ``interval`` seconds while this process holds the scheduler's lock;
        stand by (retrying the lock) while another holds it. ``on_state`` hears "active" and
        "standing by" when this process changes between them."""
        state = ""

        def tell(new: str) -> None:
            nonlocal state
            if new != state:
                state = new
                log.info("scheduler: %s", new)
                if on_state:
                    on_state(new)

        while not stop.is_set():
            with leadership(self.services) as leader:
                if not leader:
                    tell("standing by")
                    stop.wait(interval)
                    continue
                tell("active")
                while not stop.is_set() and leader.held():
                    try:
                        report = self.tick()
                        if on_tick and report.appended:
                            on_tick(report)
                    except Exception:  # keep going: the store or a view may be back soon
                        log.exception("scheduler tick failed")
                    stop.wait(interval)


class _Leadership:
    """The scheduler's lock for one deployment: a PostgreSQL session advisory lock (per
    database and schema), or a flock on a file beside the SQLite store."""

    def __init__(self, services: Services) -> None:
        self.config = services.config
        self._conn: psycopg.Connection[Any] | None = None
        self._file: TextIO | None = None

    def acquire(self) -> bool:
        if self.config.is_postgres:
            env = eventsourcing_env(self.config)
            self._conn = psycopg.connect(conninfo(env), autocommit=True)
            row = self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))",
                                     (lock_key(env),)).fetchone()
            return bool(row and row[0])
        path = Path(self.config.url.removeprefix("sqlite:///"))
        self._file = path.with_name(f"{path.name}.scheduler").open("a+", encoding="utf-8")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # per open file: threads too
        except OSError:
            return False
        return True

    def held(self) -> bool:
        """Still ours: on PostgreSQL the lock lives as long as its connection."""
        if self._conn is None:
            return self._file is not None
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()  # closing the session releases its advisory locks
            self._conn = None
        if self._file is not None:
            self._file.close()  # and closing the file its flock
            self._file = None

    def __bool__(self) -> bool:
        return self.held()

    def __enter__(self) -> _Leadership:
        try:
            if not self.acquire():
                self.release()
        except (OSError, psycopg.Error):
            log.exception("scheduler: cannot take the lock")
            self.release()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def leadership(services: Services) -> _Leadership:
    """``with leadership(services) as leader:`` -- truthy while this process is active."""
    return _Leadership(services)


def lock_key(env: dict[str, str]) -> str:
    return f"alur-scheduler:{env.get('POSTGRES_SCHEMA') or 'public'}"


def start_thread(services: Services, interval: float,
                 on_tick: Callable[[TickReport], None] | None = None) -> threading.Thread:
    """Inside ``alur serve``: the scheduler in a daemon thread."""
    scheduler = Scheduler(services)
    thread = threading.Thread(target=scheduler.run, args=(interval, threading.Event(), on_tick),
                              daemon=True, name="alur-scheduler")
    thread.start()
    return thread


def _wita(text: str) -> str:
    """A worklist time (UTC text) as the ISO 8601 WITA the case's events carry."""
    return datetime.fromisoformat(text).astimezone(WITA).isoformat()
