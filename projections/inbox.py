"""Worklist projection: every case and every task, for inboxes, case lists, SLA and dashboards.

Times are stored as fixed-width UTC text (so that text order is time order on both stores);
the API shows them in WITA. Working-time figures (due moments, minutes of work, cycle times)
are computed here, once, with the office calendar.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import singledispatchmethod
from itertools import islice
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError, Tracking
from eventsourcing.projection import Projection

from orchestrator.case import Case
from orchestrator.durations import step_duration
from orchestrator.office_calendar import OfficeCalendar
from orchestrator.worktime import Calendar, Calendars, Duration
from projections.skipped import skipped_ddl
from projections.sql import PostgresSqlView, SQLiteSqlView, SqlView, Statement

DDL = (
    "CREATE TABLE IF NOT EXISTS inbox_cases ("
    " case_id TEXT PRIMARY KEY, process TEXT NOT NULL, process_version INTEGER NOT NULL,"
    " registration TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL,"
    " started_by TEXT NOT NULL, subject TEXT NOT NULL, summary TEXT NOT NULL,"
    " updated_at TEXT NOT NULL, completed_at TEXT, cycle_minutes INTEGER,"
    " service TEXT, deadline_at TEXT, deadline_days INTEGER, deadline_minutes INTEGER)",
    "CREATE TABLE IF NOT EXISTS inbox_tasks ("
    " task_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, process TEXT NOT NULL,"
    " element_id TEXT NOT NULL, name TEXT NOT NULL, lane TEXT NOT NULL, form TEXT NOT NULL,"
    " properties TEXT NOT NULL, state TEXT NOT NULL, claimed_by TEXT,"
    " activated_at TEXT NOT NULL, due_at TEXT, completed_at TEXT, completed_by TEXT,"
    " work_minutes INTEGER)",
    "CREATE INDEX IF NOT EXISTS inbox_tasks_lane_order"
    " ON inbox_tasks (state, lane, due_at, activated_at)",
    "CREATE INDEX IF NOT EXISTS inbox_tasks_case ON inbox_tasks (case_id)",
    "CREATE INDEX IF NOT EXISTS inbox_cases_list ON inbox_cases (process, status, started_at)",
    "CREATE INDEX IF NOT EXISTS inbox_cases_registration ON inbox_cases (registration)",
    # the case's short scalar data (start data, then each completed step's merged in), one
    # JSON object per case: what a step's duration rules may read. (Until 2026-12 one row per
    # name, in inbox_case_data: five rows a case were 45 % of a rebuild's statements; the
    # dialect's migration below carries such rows over once.)
    "CREATE TABLE IF NOT EXISTS inbox_case_values ("
    " case_id TEXT PRIMARY KEY, data TEXT NOT NULL)",
    # a step's last disposition (TaskAssigned): who disposed it, what to do, by when. Its own
    # table, so that an existing worklist gains it at start-up (no task had one before)
    "CREATE TABLE IF NOT EXISTS inbox_assignments ("
    " task_id TEXT PRIMARY KEY, assignee TEXT NOT NULL, assigned_by TEXT NOT NULL,"
    " instruction TEXT NOT NULL, due_at TEXT, assigned_at TEXT NOT NULL,"
    " dispositions INTEGER NOT NULL)",
    # the scheduler's work: armed timers, reminders and escalations of open steps, service
    # times of open cases, each with the moment it is due; found by due_at in O(log n) however
    # many are pending. Derived from the log like every row here: a restart loses nothing.
    "CREATE TABLE IF NOT EXISTS inbox_due ("
    " kind TEXT NOT NULL, ref TEXT NOT NULL, case_id TEXT NOT NULL, due_at TEXT NOT NULL,"
    " target_at TEXT NOT NULL, PRIMARY KEY (kind, ref))",
    "CREATE INDEX IF NOT EXISTS inbox_due_order ON inbox_due (due_at, kind, ref)",
    "CREATE INDEX IF NOT EXISTS inbox_due_case ON inbox_due (case_id)",
    # escalated steps and cases: the supervisor's "Eskalasi" inbox
    "CREATE TABLE IF NOT EXISTS inbox_escalations ("
    " subject TEXT PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " to_role TEXT NOT NULL, due_at TEXT NOT NULL, escalated_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS inbox_escalations_role ON inbox_escalations (to_role)",
)
TIMER, REMINDER, ESCALATION, DEADLINE = "timer", "reminder", "escalation", "deadline"
CASE, TASK, TASKS, DATA = "case", "task", "tasks", "data"  # keys of the batch's memo
REMIND_AT = 0.75  # a step's holder is reminded when three quarters of its time have passed
SUBJECT_KEYS = ("subjek", "perihal", "subject", "judul", "uraian")
RULE_VALUE_MAX = 200  # longer texts (uraian, catatan) are never what a duration depends on


# A task without a due time sorts last; a sentinel (not NULL) keeps the inbox order
# "due_at, activated_at" servable by the (state, lane, due_at, activated_at) index.
NO_DUE = "9999-12-31T00:00:00.000000+00:00"
JSON_CACHE_MAX = 1024  # forms and properties kept encoded (a deployment has a few hundred)


def utc(moment: datetime) -> str:
    """Fixed-width UTC text: lexical order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")  # ...+00:00


class InboxView(SqlView):
    """Rows of the worklist; reads for the API live in ``projections/queries.py``."""

    merged_values: str  # SQL: a case's stored values with the new ones merged in (dialect's)

    tables = ("inbox_tasks", "inbox_cases", "inbox_case_values", "inbox_assignments",
              "inbox_due", "inbox_escalations", "inbox_skipped")
    ddl: Sequence[str] = (*DDL, skipped_ddl("inbox_skipped"))
    retired_tables = ("inbox_case_data",)
    skipped_table = "inbox_skipped"  # notifications it could not apply (projections/runner.py)
    # the inbox's and lists' orders, the scheduler's: the handlers find rows by key or case
    rebuild_deferred = ("inbox_tasks_lane_order", "inbox_cases_list", "inbox_cases_registration",
                        "inbox_due_order", "inbox_escalations_role")


def _case_values_migration(aggregate: str) -> tuple[str, ...]:
    """Carry a worklist's inbox_case_data rows (one per name) into inbox_case_values once;
    on a worklist without them it creates, finds nothing in and drops an empty table."""
    return (
        "CREATE TABLE IF NOT EXISTS inbox_case_data ("
        " case_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY (case_id, name))",
        f"INSERT INTO inbox_case_values (case_id, data) SELECT case_id, {aggregate}"
        " FROM inbox_case_data WHERE true GROUP BY case_id ON CONFLICT (case_id) DO NOTHING",
        "DROP TABLE inbox_case_data",
    )


class SQLiteInboxView(InboxView, SQLiteSqlView):
    ddl = (*InboxView.ddl, *_case_values_migration("json_group_object(name, json(value))"))
    merged_values = "json_patch(inbox_case_values.data, excluded.data)"


class PostgresInboxView(InboxView, PostgresSqlView):
    ddl = (*InboxView.ddl, *_case_values_migration("json_object_agg(name, value::json)::text"))
    merged_values = "(inbox_case_values.data::jsonb || excluded.data::jsonb)::text"


# the projection's view is a tracking recorder of one store or the other
StoreInboxView = SQLiteInboxView | PostgresInboxView


def _summary(data: dict[str, Any]) -> str:
    """A short case summary for lists (first few scalar fields; never nested identities)."""
    scalars = ((k, v) for k, v in data.items() if isinstance(v, str | int | float | bool))
    return json.dumps(dict(islice(scalars, 6)), ensure_ascii=False)


def _subject(data: dict[str, Any]) -> str:
    return next((str(data[k])[:300] for k in SUBJECT_KEYS if data.get(k)), "")


def _kept(data: dict[str, Any]) -> dict[str, Any]:
    """The case's short scalar values: what a step's duration rules may read. Not NaN or an
    infinity (a deployed form's ``number`` field lets JSON carry them): they are no JSON
    either database's merge accepts, and no duration rule can use them."""
    return {name: value for name, value in data.items()
            if isinstance(value, int | bool)
            or (isinstance(value, float) and math.isfinite(value))
            or (isinstance(value, str) and len(value) <= RULE_VALUE_MAX)}


def _keep_data(view: InboxView, case_id: str, kept: dict[str, Any]) -> list[Statement]:
    """The case's short scalar values merged into what it had (the aggregate's own merge:
    each name takes its latest value; a value is never null, so the JSON merge of either
    dialect is exactly that)."""
    if not kept:
        return []
    return [(
        "INSERT INTO inbox_case_values (case_id, data) VALUES (:case_id, :data)"
        f" ON CONFLICT (case_id) DO UPDATE SET data = {view.merged_values}",
        {"case_id": case_id, "data": json.dumps(kept, ensure_ascii=False)},
    )]


# A task is never due after its case: the case's deadline (extensions included) caps it.
log = logging.getLogger(__name__)
_CAPPED_DUE = "CASE WHEN c.deadline_at IS NOT NULL AND c.deadline_at < :due_at" \
              " THEN c.deadline_at ELSE :due_at END"


def resolved(resolve: Callable[[Any], Any] | None, event: Case.TaskActivated
             ) -> Case.TaskActivated:
    """The activation with its form and properties (stored by reference: resolved)."""
    if event.form:
        return event
    if resolve is None:
        raise LookupError("an activation stored by reference needs the deployed version "
                          "(the projection was built without a resolver)")
    try:
        found: Case.TaskActivated = resolve(event)
    except (PersistenceError, sqlite3.Error, psycopg.Error):
        raise  # the store is down: retried, never skipped
    except Exception as exc:  # its start or its version's definition no longer reads: the
        # step is kept without its form (as for any reader, the stream is broken; a rebuild
        # after the repair fills it in)
        log.warning("task %s of case %s: its form and properties could not be resolved "
                    "(%s: %s)", event.task_id, event.originator_id, type(exc).__name__, exc)
        return event
    return found


class InboxProjection(Projection[StoreInboxView]):
    """Keeps inbox_cases and inbox_tasks in step with the case events."""

    name = "inbox"
    # no topic filter: tracking then advances over every notification, so lag means work left
    topics = ()
    # each due time with the calendar as recorded when it was computed (office_calendar.py):
    # a rebuild computes every one again as it was
    calendar: Calendars = Calendar()
    # an event -> the event with an activation's form and properties resolved from its
    # deployed version (Orchestrator.resolved; set by bootstrap, like the calendar)
    resolve: Callable[[Any], Any] | None = None

    def __init__(self, view: StoreInboxView, calendar: Calendars | None = None) -> None:
        super().__init__(view)
        self.calendar = calendar or type(self).calendar
        now = datetime.now(UTC)
        self.calendar.at(now).is_working_day(now.date())  # load this year's holidays now

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [])

    @process_event.register
    def _(self, event: Case.Started, tracking: Tracking) -> None:
        if self.resolve is not None:  # its version is what its activations refer to
            self.resolve(event)
        at = utc(event.timestamp)
        case_id, memo = str(event.originator_id), self.view.memo()
        kept = _kept(event.data)
        memo[CASE, case_id] = {"started_at": at, "deadline_at": None, "deadline_days": None,
                               "deadline_minutes": None}
        memo[TASKS, case_id], memo[DATA, case_id] = [], dict(kept)
        self.view.write(tracking, [(
            "INSERT INTO inbox_cases (case_id, process, process_version, registration, status,"
            " started_at, started_by, subject, summary, updated_at)"
            " VALUES (:case_id, :process, :version, :registration, 'active', :at, :actor,"
            " :subject, :summary, :at)",
            {"case_id": str(event.originator_id), "process": event.process_key,
             "version": event.process_version, "registration": event.registration, "at": at,
             "actor": event.actor, "subject": _subject(event.data),
             "summary": _summary(event.data)},
        ), *_keep_data(self.view, case_id, kept)])

    @process_event.register
    def _(self, event: OfficeCalendar.Event, tracking: Tracking) -> None:
        refresh = getattr(self.calendar, "refresh", None)
        if refresh is not None:  # what comes after the change is computed with it
            refresh()
        self.view.write(tracking, [])

    @process_event.register
    def _(self, event: Case.DeadlineSet, tracking: Tracking) -> None:
        case_id = str(event.originator_id)
        due = self._add(event.timestamp, event.working_days, event.working_minutes,
                        event.timestamp)
        self._remember_deadline(case_id, event.working_days, event.working_minutes, due)
        self.view.write(tracking, [(
            "UPDATE inbox_cases SET service = :service, deadline_days = :days,"
            " deadline_minutes = :minutes, deadline_at = :due WHERE case_id = :case_id",
            {"service": event.service, "days": event.working_days,
             "minutes": event.working_minutes, "case_id": case_id, "due": due},
        ), *_due_row(DEADLINE, case_id, case_id, due, due), *self._redue(case_id, due)])

    @process_event.register
    def _(self, event: Case.DeadlineExtended, tracking: Tracking) -> None:
        case_id = str(event.originator_id)
        row = self._case(case_id)
        if row is None:
            raise LookupError(f"case {case_id} is not in the worklist")
        days = row["deadline_days"] + event.working_days
        minutes = row["deadline_minutes"] + event.working_minutes
        start = datetime.fromisoformat(row["started_at"])
        due = self._add(start, days, minutes, event.timestamp)  # computed again now
        self._remember_deadline(case_id, days, minutes, due)
        self.view.write(tracking, [(
            "UPDATE inbox_cases SET deadline_days = :days, deadline_minutes = :minutes,"
            " deadline_at = :due WHERE case_id = :case_id",
            {"days": days, "minutes": minutes, "case_id": case_id, "due": due},
        ), *_due_row(DEADLINE, case_id, case_id, due, due), *self._redue(case_id, due)])

    @process_event.register
    def _(self, event: Case.TaskActivated, tracking: Tracking) -> None:
        event = resolved(self.resolve, event)
        case_id = str(event.originator_id)
        due = self._task_due(case_id, event.properties, event.timestamp)
        self._remember_task(case_id, event.task_id, event.properties, utc(event.timestamp))
        self.view.write(tracking, [*self._step_due(case_id, event.task_id,
                                                   utc(event.timestamp), due), (
            "INSERT INTO inbox_tasks (task_id, case_id, process, element_id, name, lane, form,"
            " properties, state, activated_at, due_at)"
            " SELECT :task_id, c.case_id, c.process, :element_id, :name, :lane, :form,"
            f" :properties, 'ready', :at, {_CAPPED_DUE} FROM inbox_cases c"
            " WHERE c.case_id = :case_id",
            {"task_id": event.task_id, "case_id": case_id,
             "element_id": event.element_id, "name": event.name, "lane": event.lane,
             "form": self._json(event.form), "properties": self._json(event.properties),
             "at": utc(event.timestamp), "due_at": due or NO_DUE},
        )])

    @process_event.register
    def _(self, event: Case.TaskClaimed, tracking: Tracking) -> None:
        self._set_claim(tracking, event.task_id, event.actor)

    @process_event.register
    def _(self, event: Case.TaskAssigned, tracking: Tracking) -> None:
        self.view.write(tracking, [(
            "UPDATE inbox_tasks SET claimed_by = :user WHERE task_id = :task_id",
            {"user": event.assignee, "task_id": event.task_id},
        ), (
            "INSERT INTO inbox_assignments (task_id, assignee, assigned_by, instruction,"
            " due_at, assigned_at, dispositions) VALUES (:task_id, :assignee, :by,"
            " :instruction, :due_at, :at, 1) ON CONFLICT (task_id) DO UPDATE SET"
            " assignee = excluded.assignee, assigned_by = excluded.assigned_by,"
            " instruction = excluded.instruction, due_at = excluded.due_at,"
            " assigned_at = excluded.assigned_at,"
            " dispositions = inbox_assignments.dispositions + 1",
            {"task_id": event.task_id, "assignee": event.assignee, "by": event.by,
             "instruction": event.instruction, "at": utc(event.timestamp),
             "due_at": utc(datetime.fromisoformat(event.due_at)) if event.due_at else None},
        )])

    @process_event.register
    def _(self, event: Case.TaskReleased, tracking: Tracking) -> None:
        self._set_claim(tracking, event.task_id, None)

    @process_event.register
    def _(self, event: Case.TaskCompleted, tracking: Tracking) -> None:
        case_id = str(event.originator_id)
        activated_at = self._activated_at(event.task_id)
        minutes = self._minutes(activated_at, event.timestamp) if activated_at else None
        self._remember_state(case_id, "completed", (event.task_id,))
        kept = self._remember_data(case_id, event.data)
        self.view.write(tracking, [(
            "UPDATE inbox_tasks SET state = 'completed', completed_at = :at,"
            " completed_by = :actor, work_minutes = :minutes WHERE task_id = :task_id",
            {"at": utc(event.timestamp), "actor": event.actor, "task_id": event.task_id,
             "minutes": minutes},
        ), self._touch(event), *_keep_data(self.view, case_id, kept)])

    @process_event.register
    def _(self, event: Case.Completed, tracking: Tracking) -> None:
        self.view.write(tracking, [self._close(event, "completed"), _case_undue(event)])

    @process_event.register
    def _(self, event: Case.Cancelled, tracking: Tracking) -> None:
        self._remember_state(str(event.originator_id), "cancelled", None)
        self.view.write(tracking, [self._close(event, "cancelled"), (
            "UPDATE inbox_tasks SET state = 'cancelled' WHERE case_id = :case_id"
            " AND state = 'ready'", {"case_id": str(event.originator_id)},
        ), _case_undue(event)])

    @process_event.register
    def _(self, event: Case.TimerArmed, tracking: Tracking) -> None:
        due = utc(datetime.fromisoformat(event.due_at))
        self.view.write(tracking, _due_row(TIMER, event.timer_id, str(event.originator_id),
                                           due, due))

    @process_event.register
    def _(self, event: Case.TimerCancelled, tracking: Tracking) -> None:
        self.view.write(tracking, [_delete_due(TIMER, event.timer_id)])

    @process_event.register
    def _(self, event: Case.TimerFired, tracking: Tracking) -> None:
        statements = [_delete_due(TIMER, event.timer_id), self._touch(event)]
        self._remember_state(str(event.originator_id), "cancelled", tuple(event.interrupted))
        for task_id in event.interrupted:  # an interrupting boundary timer took the step
            statements += [("UPDATE inbox_tasks SET state = 'cancelled', completed_at = :at"
                            " WHERE task_id = :task_id",
                            {"at": utc(event.timestamp), "task_id": task_id}),
                           *_undue(task_id)]
        self.view.write(tracking, statements)

    @process_event.register
    def _(self, event: Case.TaskReminded, tracking: Tracking) -> None:
        self.view.write(tracking, [_delete_due(REMINDER, event.task_id)])

    @process_event.register
    def _(self, event: Case.TaskEscalated, tracking: Tracking) -> None:
        self.view.write(tracking, [_delete_due(REMINDER, event.task_id),
                                   _delete_due(ESCALATION, event.task_id),
                                   _escalation(event, event.task_id, "task", event.to_role,
                                               event.due_at)])

    @process_event.register
    def _(self, event: Case.DeadlineEscalated, tracking: Tracking) -> None:
        case_id = str(event.originator_id)
        self.view.write(tracking, [_delete_due(DEADLINE, case_id),
                                   _escalation(event, case_id, "case", event.to_role,
                                               event.due_at)])

    def _step_due(self, case_id: str, task_id: str, activated_at: str,
                  due: str) -> list[Statement]:
        """The step's reminder and escalation rows, at its due time capped at the case's. A
        step without a time of its own has none: its case's service time escalates instead."""
        if due == NO_DUE:
            return []
        deadline = self._deadline(case_id)
        due = min(due, deadline) if deadline else due
        start, end = datetime.fromisoformat(activated_at), datetime.fromisoformat(due)
        remind = utc(start + (end - start) * REMIND_AT)
        return [*_due_row(REMINDER, task_id, case_id, remind, due),
                *_due_row(ESCALATION, task_id, case_id, due, due)]

    def _deadline(self, case_id: str) -> str | None:
        row = self._case(case_id)
        return row["deadline_at"] if row else None

    # What the handlers read back, memoised for the batch (SqlView.memo). Each entry is
    # either absent (then read from the database) or kept in step by every handler that
    # writes what it holds: the case's times, a step's activation, the case's steps and the
    # case's short data.
    def _case(self, case_id: str) -> dict[str, Any] | None:
        memo = self.view.memo()
        if (CASE, case_id) not in memo:
            rows = self.view.rows(
                "SELECT started_at, deadline_at, deadline_days, deadline_minutes"
                " FROM inbox_cases WHERE case_id = :case_id", {"case_id": case_id})
            memo[CASE, case_id] = rows[0] if rows else None
        row: dict[str, Any] | None = memo[CASE, case_id]
        return row

    def _remember_deadline(self, case_id: str, days: int, minutes: int,
                           due: str | None) -> None:
        row = self._case(case_id)
        if row is not None:
            row.update(deadline_days=days, deadline_minutes=minutes, deadline_at=due)

    def _activated_at(self, task_id: str) -> str | None:
        memo = self.view.memo()
        if (TASK, task_id) not in memo:
            rows = self.view.rows("SELECT activated_at FROM inbox_tasks WHERE task_id = :task_id",
                                  {"task_id": task_id})
            memo[TASK, task_id] = rows[0]["activated_at"] if rows else None
        activated_at: str | None = memo[TASK, task_id]
        return activated_at

    def _case_tasks(self, case_id: str) -> list[dict[str, Any]]:
        memo = self.view.memo()
        if (TASKS, case_id) not in memo:
            memo[TASKS, case_id] = self.view.rows(
                "SELECT task_id, properties, activated_at, state FROM inbox_tasks"
                " WHERE case_id = :case_id", {"case_id": case_id})
        tasks: list[dict[str, Any]] = memo[TASKS, case_id]
        return tasks

    def _remember_task(self, case_id: str, task_id: str, properties: dict[str, str],
                       activated_at: str) -> None:
        """A step inserted (only if its case is in the worklist, as the INSERT … SELECT)."""
        memo = self.view.memo()
        if self._case(case_id) is None:
            return
        memo[TASK, task_id] = activated_at
        if (TASKS, case_id) in memo:
            memo[TASKS, case_id].append({
                "task_id": task_id, "activated_at": activated_at, "state": "ready",
                "properties": self._json(properties)})

    def _remember_state(self, case_id: str, state: str, task_ids: tuple[str, ...] | None) -> None:
        """Steps that left 'ready' (``None``: every ready step of the case)."""
        for task in self.view.memo().get((TASKS, case_id), ()):
            if task["state"] == "ready" and (task_ids is None or task["task_id"] in task_ids):
                task["state"] = state

    def _remember_data(self, case_id: str, data: dict[str, Any]) -> dict[str, Any]:
        kept = _kept(data)
        known = self.view.memo().get((DATA, case_id))
        if known is not None:
            known.update(kept)
        return kept

    def _json(self, value: dict[str, Any]) -> str:
        """``value`` as JSON text, once per object: an activation's form and properties
        resolved from its deployed version are the catalogue's own objects, shared by every
        activation of the step (encoding each again was a tenth of a rebuild). The cache
        holds the object itself, so its id cannot be taken by another while cached."""
        cache = self.__dict__.setdefault("_json_cache", {})
        known = cache.get(id(value))
        if known is not None and known[0] is value:
            return str(known[1])
        text = json.dumps(value, ensure_ascii=False)
        if len(cache) >= JSON_CACHE_MAX:
            cache.clear()
        cache[id(value)] = (value, text)
        return text

    def _set_claim(self, tracking: Tracking, task_id: str, user: str | None) -> None:
        self.view.write(tracking, [(
            "UPDATE inbox_tasks SET claimed_by = :user WHERE task_id = :task_id",
            {"user": user, "task_id": task_id},
        )])

    def _add(self, start: datetime, days: int, minutes: int, as_of: datetime) -> str | None:
        if not days and not minutes:
            return None
        return utc(self.calendar.at(as_of).add(start, Duration(minutes=minutes, days=days)))

    def _task_due(self, case_id: str, properties: dict[str, str], start: datetime) -> str:
        """The step's due moment by the decree (for this case's data), before the case cap."""
        data = self._case_data(case_id) if properties.get("durations") else {}
        duration = step_duration(properties, data)
        # a step's due time is the one computed when it was activated
        return utc(self.calendar.at(start).add(start, duration)) if duration else NO_DUE

    def _case_data(self, case_id: str) -> dict[str, Any]:
        memo = self.view.memo()
        if (DATA, case_id) not in memo:
            rows = self.view.rows(
                "SELECT data FROM inbox_case_values WHERE case_id = :case_id",
                {"case_id": case_id})
            memo[DATA, case_id] = json.loads(rows[0]["data"]) if rows else {}
        data: dict[str, Any] = memo[DATA, case_id]
        return data

    def _redue(self, case_id: str, deadline: str | None) -> list[Statement]:
        """The case's tasks due again by the decree, capped at the case's new deadline."""
        statements = []
        for task in self._case_tasks(case_id):
            due = self._task_due(case_id, json.loads(task["properties"]),
                                 datetime.fromisoformat(task["activated_at"]))
            capped = min(due, deadline) if deadline else due
            statements.append((
                "UPDATE inbox_tasks SET due_at = :due_at WHERE task_id = :task_id",
                {"due_at": capped, "task_id": task["task_id"]}))
            if task["state"] == "ready" and capped != NO_DUE:
                start, end = (datetime.fromisoformat(task["activated_at"]),
                              datetime.fromisoformat(capped))
                statements += _refresh_due(REMINDER, task["task_id"],
                                           utc(start + (end - start) * REMIND_AT), capped)
                statements += _refresh_due(ESCALATION, task["task_id"], capped, capped)
        return statements

    def _minutes(self, start: str, end: datetime) -> int:
        return self.calendar.at(end).working_minutes(datetime.fromisoformat(start), end)

    def _close(self, event: Case.Event, status: str) -> Statement:
        case_id = str(event.originator_id)
        row = self._case(case_id)
        cycle = self._minutes(row["started_at"], event.timestamp) if row else None
        return ("UPDATE inbox_cases SET status = :status, updated_at = :at, completed_at = :at,"
                " cycle_minutes = :cycle WHERE case_id = :case_id",
                {"status": status, "at": utc(event.timestamp), "cycle": cycle,
                 "case_id": case_id})

    @staticmethod
    def _touch(event: Case.Event) -> Statement:
        return ("UPDATE inbox_cases SET updated_at = :at WHERE case_id = :case_id",
                {"at": utc(event.timestamp), "case_id": str(event.originator_id)})


def _due_row(kind: str, ref: str, case_id: str, due_at: str | None,
             target_at: str | None) -> list[Statement]:
    """Work for the scheduler at ``due_at`` (an upsert: a later moment replaces it)."""
    if not due_at:
        return []
    return [("INSERT INTO inbox_due (kind, ref, case_id, due_at, target_at)"
             " VALUES (:kind, :ref, :case_id, :due_at, :target_at) ON CONFLICT (kind, ref)"
             " DO UPDATE SET due_at = excluded.due_at, target_at = excluded.target_at",
             {"kind": kind, "ref": ref, "case_id": case_id, "due_at": due_at,
              "target_at": target_at or due_at})]


def _refresh_due(kind: str, ref: str, due_at: str, target_at: str) -> list[Statement]:
    """Move pending work that still exists (an escalated step's is gone and stays gone)."""
    return [("UPDATE inbox_due SET due_at = :due_at, target_at = :target_at"
             " WHERE kind = :kind AND ref = :ref",
             {"kind": kind, "ref": ref, "due_at": due_at, "target_at": target_at})]


def _delete_due(kind: str, ref: str) -> Statement:
    return ("DELETE FROM inbox_due WHERE kind = :kind AND ref = :ref", {"kind": kind, "ref": ref})


def _undue(task_id: str) -> list[Statement]:
    return [_delete_due(REMINDER, task_id), _delete_due(ESCALATION, task_id)]


def _case_undue(event: Case.Event) -> Statement:
    return ("DELETE FROM inbox_due WHERE case_id = :case_id",
            {"case_id": str(event.originator_id)})


def _escalation(event: Case.Event, subject: str, kind: str, to_role: str,
                due_at: str) -> Statement:
    return ("INSERT INTO inbox_escalations (subject, case_id, kind, to_role, due_at,"
            " escalated_at) VALUES (:subject, :case_id, :kind, :to_role, :due_at, :at)"
            " ON CONFLICT (subject) DO NOTHING",
            {"subject": subject, "case_id": str(event.originator_id), "kind": kind,
             "to_role": to_role, "due_at": utc(datetime.fromisoformat(due_at)),
             "at": utc(event.timestamp)})
