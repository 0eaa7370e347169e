"""Inbox projection: every task of every case, so that each role sees what is ready for it."""

from __future__ import annotations

import json
from datetime import datetime
from functools import singledispatchmethod
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from orchestrator.case import Case
from orchestrator.worktime import Calendar, parse_duration
from projections.sql import PostgresSqlView, SQLiteSqlView, SqlView, Statement

DDL = (
    "CREATE TABLE IF NOT EXISTS inbox_cases ("
    " case_id TEXT PRIMARY KEY, process TEXT NOT NULL, process_version INTEGER NOT NULL,"
    " status TEXT NOT NULL, started_at TEXT NOT NULL, started_by TEXT NOT NULL,"
    " summary TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS inbox_tasks ("
    " task_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, process TEXT NOT NULL,"
    " element_id TEXT NOT NULL, name TEXT NOT NULL, lane TEXT NOT NULL, form TEXT NOT NULL,"
    " properties TEXT NOT NULL, state TEXT NOT NULL, claimed_by TEXT,"
    " activated_at TEXT NOT NULL, due_at TEXT, completed_at TEXT, completed_by TEXT)",
    "CREATE INDEX IF NOT EXISTS inbox_tasks_ready ON inbox_tasks (state, lane, due_at)",
    "CREATE INDEX IF NOT EXISTS inbox_tasks_case ON inbox_tasks (case_id)",
)


class InboxView(SqlView):
    """Rows of the inbox; reads for the API live in ``projections/queries.py``."""

    tables = ("inbox_tasks", "inbox_cases")
    ddl = DDL


class SQLiteInboxView(InboxView, SQLiteSqlView):
    pass


class PostgresInboxView(InboxView, PostgresSqlView):
    pass


def _summary(data: dict[str, Any]) -> str:
    """A short, non-sensitive case summary for inbox rows (first few scalar fields)."""
    scalars = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
    return json.dumps(dict(list(scalars.items())[:6]), ensure_ascii=False)


class InboxProjection(Projection[InboxView]):
    """Keeps inbox_cases and inbox_tasks in step with the case events."""

    name = "inbox"
    topics = tuple(get_topic(cls) for cls in (
        Case.Started, Case.TaskActivated, Case.TaskClaimed, Case.TaskReleased,
        Case.TaskCompleted, Case.Completed, Case.Cancelled,
    ))

    def __init__(self, view: InboxView, calendar: Calendar | None = None) -> None:
        super().__init__(view)
        self.calendar = calendar or Calendar()

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [])

    @process_event.register
    def _(self, event: Case.Started, tracking: Tracking) -> None:
        at = event.timestamp.isoformat()
        self.view.write(tracking, [(
            "INSERT INTO inbox_cases VALUES (:case_id, :process, :version, 'active', :at,"
            " :actor, :summary, :at)",
            {"case_id": str(event.originator_id), "process": event.process_key,
             "version": event.process_version, "at": at, "actor": event.actor,
             "summary": _summary(event.data)},
        )])

    @process_event.register
    def _(self, event: Case.TaskActivated, tracking: Tracking) -> None:
        self.view.write(tracking, [(
            "INSERT INTO inbox_tasks (task_id, case_id, process, element_id, name, lane, form,"
            " properties, state, activated_at, due_at)"
            " SELECT :task_id, case_id, process, :element_id, :name, :lane, :form, :properties,"
            " 'ready', :at, :due_at FROM inbox_cases WHERE case_id = :case_id",
            {"task_id": event.task_id, "case_id": str(event.originator_id),
             "element_id": event.element_id, "name": event.name, "lane": event.lane,
             "form": json.dumps(event.form, ensure_ascii=False),
             "properties": json.dumps(event.properties, ensure_ascii=False),
             "at": event.timestamp.isoformat(),
             "due_at": self._due(event.timestamp, event.properties.get("duration"))},
        )])

    @process_event.register
    def _(self, event: Case.TaskClaimed, tracking: Tracking) -> None:
        self._set_claim(tracking, event.task_id, event.actor)

    @process_event.register
    def _(self, event: Case.TaskReleased, tracking: Tracking) -> None:
        self._set_claim(tracking, event.task_id, None)

    @process_event.register
    def _(self, event: Case.TaskCompleted, tracking: Tracking) -> None:
        self.view.write(tracking, [(
            "UPDATE inbox_tasks SET state = 'completed', completed_at = :at, completed_by = :actor"
            " WHERE task_id = :task_id",
            {"at": event.timestamp.isoformat(), "actor": event.actor, "task_id": event.task_id},
        ), self._touch(event)])

    @process_event.register
    def _(self, event: Case.Completed, tracking: Tracking) -> None:
        self.view.write(tracking, [self._status(event, "completed")])

    @process_event.register
    def _(self, event: Case.Cancelled, tracking: Tracking) -> None:
        self.view.write(tracking, [self._status(event, "cancelled"), (
            "UPDATE inbox_tasks SET state = 'cancelled' WHERE case_id = :case_id"
            " AND state = 'ready'", {"case_id": str(event.originator_id)},
        )])

    def _set_claim(self, tracking: Tracking, task_id: str, user: str | None) -> None:
        self.view.write(tracking, [(
            "UPDATE inbox_tasks SET claimed_by = :user WHERE task_id = :task_id",
            {"user": user, "task_id": task_id},
        )])

    def _due(self, start: datetime, duration_text: str | None) -> str | None:
        duration = parse_duration(duration_text)
        return self.calendar.add(start, duration).isoformat() if duration else None

    @staticmethod
    def _status(event: Case.Event, status: str) -> Statement:
        return ("UPDATE inbox_cases SET status = :status, updated_at = :at"
                " WHERE case_id = :case_id",
                {"status": status, "at": event.timestamp.isoformat(),
                 "case_id": str(event.originator_id)})

    @staticmethod
    def _touch(event: Case.Event) -> Statement:
        return ("UPDATE inbox_cases SET updated_at = :at WHERE case_id = :case_id",
                {"at": event.timestamp.isoformat(), "case_id": str(event.originator_id)})
