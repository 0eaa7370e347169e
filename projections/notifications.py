"""Notifications projection: who is told what, in the app and through the outbox.

From the case events it derives one in-app notification per (event, user) and one outbox row
per (event, recipient, channel): a step reaching a lane (its holders), a disposition (the
assignee), a case finishing (its starter), a reminder (the step's holder, else its lane), and
the public notices of the decree (the contact the requester gave). The outbox rows' states
follow the ``Delivery`` events the sender appends (orchestrator/notices.py), so the whole view
is a function of the log: a rebuild neither forgets what was sent nor sends it again.

A sensitive case's reporter contact is never here in clear: its row keeps the sealed value
from ``CaseStarted`` and only the sender opens it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from orchestrator.acting import ActingAppointments
from orchestrator.case import Case
from orchestrator.notices import PENDING, Delivery, Reminder, delivery_id
from orchestrator.policy import REPORTER_LANES
from orchestrator.roles import RoleRegistry
from orchestrator.users import User
from projections import notice_texts as texts
from projections.inbox import resolved, utc
from projections.skipped import skipped_ddl
from projections.sql import PostgresSqlView, SQLiteSqlView, SqlView, Statement

WITA = ZoneInfo("Asia/Makassar")
DDL = (
    "CREATE TABLE IF NOT EXISTS notify_users (user_id TEXT PRIMARY KEY, username TEXT NOT NULL,"
    " full_name TEXT NOT NULL, email TEXT NOT NULL, whatsapp TEXT NOT NULL,"
    " active INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS notify_user_roles (username TEXT NOT NULL, role TEXT NOT NULL,"
    " PRIMARY KEY (username, role))",
    "CREATE INDEX IF NOT EXISTS notify_user_roles_role ON notify_user_roles (role)",
    "CREATE TABLE IF NOT EXISTS notify_cases (case_id TEXT PRIMARY KEY, process TEXT NOT NULL,"
    " registration TEXT NOT NULL, started_by TEXT NOT NULL, contact TEXT NOT NULL,"
    " sealed TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS notify_tasks (task_id TEXT PRIMARY KEY, case_id TEXT NOT NULL,"
    " lane TEXT NOT NULL, name TEXT NOT NULL, row_no TEXT NOT NULL, holder TEXT)",
    "CREATE TABLE IF NOT EXISTS notify_items (id TEXT PRIMARY KEY, username TEXT NOT NULL,"
    " kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, link TEXT NOT NULL,"
    " case_id TEXT, created_at TEXT NOT NULL, read_at TEXT)",
    "CREATE INDEX IF NOT EXISTS notify_items_user ON notify_items (username, created_at)",
    "CREATE TABLE IF NOT EXISTS notify_deliveries (delivery_id TEXT PRIMARY KEY,"
    " key TEXT NOT NULL UNIQUE, item_id TEXT, recipient TEXT NOT NULL, channel TEXT NOT NULL,"
    " address TEXT NOT NULL, sealed TEXT NOT NULL, case_id TEXT, subject TEXT NOT NULL,"
    " body TEXT NOT NULL, link TEXT NOT NULL, created_at TEXT NOT NULL, state TEXT NOT NULL,"
    " attempts INTEGER NOT NULL, retry_at TEXT, lease_until TEXT, last_error TEXT NOT NULL,"
    " updated_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS notify_deliveries_state ON notify_deliveries (state, created_at)",
    # reminders issued, so that the scheduler does not ask the store about each step each time
    "CREATE TABLE IF NOT EXISTS notify_reminders (task_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " PRIMARY KEY (task_id, kind))",
    # acting officials (Plh/Plt): told of their lent lanes on the days they hold them
    "CREATE TABLE IF NOT EXISTS notify_acting (appointment_id TEXT PRIMARY KEY,"
    " deputy TEXT NOT NULL, role TEXT NOT NULL, starts_on TEXT NOT NULL, ends_on TEXT NOT NULL,"
    " ended INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS notify_deputies (stream_id TEXT PRIMARY KEY,"
    " deputy TEXT NOT NULL)",
)
Recipient = dict[str, Any]  # a notify_users row


class NotificationView(SqlView):
    tables = ("notify_users", "notify_user_roles", "notify_cases", "notify_tasks",
              "notify_items", "notify_deliveries", "notify_reminders", "notify_acting",
              "notify_deputies", "notify_skipped")
    ddl = (*DDL, skipped_ddl("notify_skipped"))
    skipped_table = "notify_skipped"


class SQLiteNotificationView(NotificationView, SQLiteSqlView):
    pass


class PostgresNotificationView(NotificationView, PostgresSqlView):
    pass


StoreNotificationView = SQLiteNotificationView | PostgresNotificationView


def _event(aggregate: type[Any], name: str) -> type[Any]:
    """An event class an ``@event`` method defines (invisible to type checkers)."""
    found: type[Any] = vars(aggregate)[name]
    return found


def _id(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32]


def wita(moment: str | None) -> str:
    """An ISO moment as people read it here: 24-11-2026 08.15 WITA."""
    if not moment:
        return ""
    return datetime.fromisoformat(moment).astimezone(WITA).strftime("%d-%m-%Y %H.%M WITA")


class NotificationProjection(Projection[StoreNotificationView]):
    """Keeps notify_items and notify_deliveries in step with cases, users and deliveries."""

    name = "notifications"
    topics = ()
    roles = RoleRegistry([])  # the deployment's registry rides on a subclass (bootstrap)
    resolve: Callable[[Any], Any] | None = None  # as the inbox's (Orchestrator.resolved)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [])

    # -- users ------------------------------------------------------------------------------

    @process_event.register(_event(User, "Registered"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [(
            "INSERT INTO notify_users (user_id, username, full_name, email, whatsapp, active)"
            " VALUES (:id, :username, :name, '', '', 1) ON CONFLICT (user_id) DO NOTHING",
            {"id": str(event.originator_id), "username": event.username,
             "name": event.full_name}), *self._roles(event.username, event.roles)])

    @process_event.register(_event(User, "RolesChanged"))
    def _(self, event: Any, tracking: Tracking) -> None:
        username = self._username(event)
        self.view.write(tracking, self._roles(username, event.roles) if username else [])

    @process_event.register(_event(User, "Disabled"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._set_user(event, tracking, active=0)

    @process_event.register(_event(User, "Enabled"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._set_user(event, tracking, active=1)

    @process_event.register(_event(User, "ProfileUpdated"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._set_user(event, tracking, full_name=event.full_name, email=event.email,
                       whatsapp=event.whatsapp)

    @process_event.register(_event(User, "NotificationsRead"))
    def _(self, event: Any, tracking: Tracking) -> None:
        username = self._username(event)
        params: dict[str, Any] = {"user": username, "at": utc(event.timestamp)}
        where = "username = :user AND read_at IS NULL"
        if not event.everything:
            names = {f"i{n}": item for n, item in enumerate(event.ids[:500])}
            params.update(names)
            where += f" AND id IN ({', '.join(':' + k for k in names) or 'NULL'})"
        self.view.write(tracking, [(f"UPDATE notify_items SET read_at = :at WHERE {where}",
                                    params)])

    # -- cases ------------------------------------------------------------------------------

    @process_event.register
    def _(self, event: Case.Started, tracking: Tracking) -> None:
        self.view.write(tracking, [(
            "INSERT INTO notify_cases (case_id, process, registration, started_by, contact,"
            " sealed) VALUES (:id, :process, :registration, :actor, :contact, :sealed)"
            " ON CONFLICT (case_id) DO NOTHING",
            {"id": str(event.originator_id), "process": event.process_key,
             "registration": event.registration, "actor": event.actor,
             "contact": "" if event.sealed else texts.contact_in(event.data),
             "sealed": event.sealed})])

    @process_event.register
    def _(self, event: Case.TaskActivated, tracking: Tracking) -> None:
        event = resolved(self.resolve, event)
        case = self._case(event)
        statements: list[Statement] = [(
            "INSERT INTO notify_tasks (task_id, case_id, lane, name, row_no) VALUES"
            " (:task, :case, :lane, :name, :row) ON CONFLICT (task_id) DO NOTHING",
            {"task": event.task_id, "case": str(event.originator_id), "lane": event.lane,
             "name": event.name, "row": str(event.properties.get("row", ""))})]
        if case and event.lane not in REPORTER_LANES:  # the public is told by its contact
            title, body = texts.task_activated(case["registration"], event.name)
            statements += self._tell(event, self._holders(event.lane, event), "task_activated",
                                     title, body, _task_link(event, event.task_id))
        self.view.write(tracking, statements)

    @process_event.register
    def _(self, event: Case.TaskClaimed, tracking: Tracking) -> None:
        self.view.write(tracking, [_hold(event.task_id, event.actor)])

    @process_event.register
    def _(self, event: Case.TaskReleased, tracking: Tracking) -> None:
        self.view.write(tracking, [_hold(event.task_id, None)])

    @process_event.register
    def _(self, event: Case.TaskAssigned, tracking: Tracking) -> None:
        statements = [_hold(event.task_id, event.assignee)]
        case, task = self._case(event), self._task(event.task_id)
        if case and task and event.assignee != event.by:
            title, body = texts.task_assigned(case["registration"], task["name"], event.by,
                                              event.instruction, wita(event.due_at))
            statements += self._tell(event, self._users([event.assignee]), "task_assigned",
                                     title, body, _task_link(event, event.task_id))
        self.view.write(tracking, statements)

    @process_event.register
    def _(self, event: Case.TaskCompleted, tracking: Tracking) -> None:
        case, task = self._case(event), self._task(event.task_id)
        statements: list[Statement] = [_hold(event.task_id, None)]
        notice = texts.PUBLIC_NOTICES.get((case["process"], task["row_no"])) \
            if case and task else None
        if case and notice:
            title, body = texts.public_notice(notice, case["registration"], event.data)
            statements += self._tell_public(event, case, "public_notice", title, body)
        self.view.write(tracking, statements)

    @process_event.register
    def _(self, event: Case.DeadlineExtended, tracking: Tracking) -> None:
        case = self._case(event)
        statements: list[Statement] = []
        if case:
            title, body = texts.deadline_extended(case["registration"], event.working_days,
                                                  event.reason)
            statements = self._tell_public(event, case, "deadline_extended", title, body)
        self.view.write(tracking, statements)

    @process_event.register
    def _(self, event: Case.TaskReminded, tracking: Tracking) -> None:
        """A step near its due time (the scheduler reminded it once, in the case's chain): its
        holder is told, else its lane."""
        case = self._case(event)
        statements: list[Statement] = []
        if case:
            title, body = texts.reminder("due_soon", case["registration"], event.name,
                                         wita(event.due_at))
            statements = self._tell(event, self._holder_or_lane(event), "due_soon", title, body,
                                    _task_link(event, event.task_id))
        self.view.write(tracking, statements)

    @process_event.register
    def _(self, event: Case.TaskEscalated, tracking: Tracking) -> None:
        """A late step: the supervisor's role is told (the scheduler escalated it once), and
        the step's holder, else its lane, that it is overdue."""
        case = self._case(event)
        statements: list[Statement] = []
        if case:
            link = _task_link(event, event.task_id)
            title, body = texts.escalated(case["registration"], event.name, event.lane,
                                          wita(event.due_at))
            supervisors = self._holders(event.to_role, event)
            statements = self._tell(event, supervisors, "task_escalated", title, body, link)
            told = {person["username"] for person in supervisors}
            title, body = texts.reminder("overdue", case["registration"], event.name,
                                         wita(event.due_at))
            statements += self._tell(event, [p for p in self._holder_or_lane(event)
                                             if p["username"] not in told],
                                     "overdue", title, body, link)
        self.view.write(tracking, statements)

    @process_event.register
    def _(self, event: Case.DeadlineEscalated, tracking: Tracking) -> None:
        case = self._case(event)
        statements: list[Statement] = []
        if case:
            title, body = texts.escalated(case["registration"], None, "", wita(event.due_at))
            statements = self._tell(event, self._holders(event.to_role, event), "case_escalated",
                                    title, body, f"/kasus/{event.originator_id}")
        self.view.write(tracking, statements)

    @process_event.register
    def _(self, event: Case.Completed, tracking: Tracking) -> None:
        self._finished(event, tracking, cancelled=False, reason="")

    @process_event.register
    def _(self, event: Case.Cancelled, tracking: Tracking) -> None:
        self._finished(event, tracking, cancelled=True, reason=event.reason)

    @process_event.register(_event(ActingAppointments, "Opened"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [(
            "INSERT INTO notify_deputies (stream_id, deputy) VALUES (:id, :deputy)"
            " ON CONFLICT (stream_id) DO NOTHING",
            {"id": str(event.originator_id), "deputy": event.deputy})])

    @process_event.register(_event(ActingAppointments, "Appointed"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [(
            "INSERT INTO notify_acting (appointment_id, deputy, role, starts_on, ends_on, ended)"
            " VALUES (:id, :deputy, :role, :starts, :ends, 0) ON CONFLICT (appointment_id)"
            " DO NOTHING", {"id": event.appointment_id, "deputy": self._deputy(event),
                            "role": event.role, "starts": event.starts_on,
                            "ends": event.ends_on})])

    @process_event.register(_event(ActingAppointments, "Ended"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [("UPDATE notify_acting SET ended = 1 WHERE appointment_id = :id",
                                    {"id": event.appointment_id})])

    @process_event.register(_event(Reminder, "Issued"))
    def _(self, event: Any, tracking: Tracking) -> None:
        """A reminder of the outbox's own (stored before the scheduler's TaskReminded and
        TaskEscalated became the one way a step's holder is reminded): told as it was then."""
        task = self._task(event.task_id)
        rows = self.view.rows("SELECT registration FROM notify_cases WHERE case_id = :id",
                              {"id": event.case_id})
        statements: list[Statement] = [(
            "INSERT INTO notify_reminders (task_id, kind) VALUES (:task, :kind)"
            " ON CONFLICT (task_id, kind) DO NOTHING", {"task": event.task_id, "kind": event.kind})]
        if task and rows:
            people = self._users([task["holder"]]) if task["holder"] \
                else self._holders(task["lane"])
            title, body = texts.reminder(event.kind, rows[0]["registration"], task["name"],
                                         wita(event.due_at))
            statements += self._tell(event, people, event.kind, title, body,
                                    f"/kasus/{event.case_id}/tugas/{event.task_id}",
                                    case_id=event.case_id)
        self.view.write(tracking, statements)

    # -- deliveries -------------------------------------------------------------------------

    @process_event.register(_event(Delivery, "Claimed"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._delivery(event, tracking, state="sending", attempts=1,
                       lease_until=event.lease_until)

    @process_event.register(_event(Delivery, "Reclaimed"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._delivery(event, tracking, state="sending", lease_until=event.lease_until,
                       more_attempts=True)

    @process_event.register(_event(Delivery, "HandedOver"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._delivery(event, tracking, state="handing_over")

    @process_event.register(_event(Delivery, "Sent"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._delivery(event, tracking, state="sent", last_error="")

    @process_event.register(_event(Delivery, "AttemptFailed"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._delivery(event, tracking, state="retry" if event.retry_at else "failed",
                       retry_at=event.retry_at, last_error=event.error)

    @process_event.register(_event(Delivery, "Unconfirmed"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._delivery(event, tracking, state="unconfirmed", last_error=event.reason)

    @process_event.register(_event(Delivery, "Requeued"))
    def _(self, event: Any, tracking: Tracking) -> None:
        self._delivery(event, tracking, state=PENDING, retry_at=None)

    # -- helpers ----------------------------------------------------------------------------

    def _finished(self, event: Case.Event, tracking: Tracking, cancelled: bool,
                  reason: str) -> None:
        case = self._case(event)
        statements: list[Statement] = []
        if case:
            title, body = texts.case_finished(case["registration"], cancelled, reason)
            statements = self._tell(event, self._users([case["started_by"]]), "case_finished",
                                    title, body, f"/kasus/{event.originator_id}")
        self.view.write(tracking, statements)

    def _tell(self, event: Any, people: list[Recipient], kind: str, title: str, body: str,
              link: str, case_id: str | None = None) -> list[Statement]:
        """An in-app notification per person, and an outbox row per address they gave."""
        case_id = case_id or str(event.originator_id)
        at = utc(event.timestamp)
        statements: list[Statement] = []
        for person in people:
            item = _id(event.originator_id, event.originator_version, person["username"])
            statements.append((
                "INSERT INTO notify_items (id, username, kind, title, body, link, case_id,"
                " created_at) VALUES (:id, :user, :kind, :title, :body, :link, :case, :at)"
                " ON CONFLICT (id) DO NOTHING",
                {"id": item, "user": person["username"], "kind": kind, "title": title,
                 "body": body, "link": link, "case": case_id, "at": at}))
            for channel in ("email", "whatsapp"):
                if person[channel]:
                    statements.append(_outbox(event, person["username"], channel,
                                              person[channel], "", case_id, title, body,
                                              link, item))
        return statements

    def _tell_public(self, event: Case.Event, case: dict[str, Any], kind: str, title: str,
                     body: str) -> list[Statement]:
        """The requester, at the contact they gave (opened by the sender when sealed)."""
        if case["sealed"]:
            return [_outbox(event, "publik", "sealed", "", case["sealed"], case["case_id"],
                            title, body, "", None)]
        channel = texts.channel_of(case["contact"])
        if channel is None:
            return []
        return [_outbox(event, "publik", channel, case["contact"], "", case["case_id"], title,
                        body, "", None)]

    def _holders(self, lane: str, event: Any = None) -> list[Recipient]:
        """The active users holding the lane (a combined lane: any of its members), and the
        acting officials (Plh/Plt) holding one of its roles on the event's day (WITA)."""
        names = {f"r{n}": role for n, role in enumerate(sorted(self.roles.members(lane)))}
        roles = ", ".join(":" + k for k in names)
        day = event.timestamp.astimezone(WITA).date().isoformat() if event is not None else ""
        return self.view.rows(
            "SELECT DISTINCT u.username, u.email, u.whatsapp FROM notify_users u"
            " WHERE u.active = 1 AND (u.username IN (SELECT r.username FROM notify_user_roles r"
            f" WHERE r.role IN ({roles})) OR u.username IN (SELECT a.deputy FROM notify_acting a"
            f" WHERE a.role IN ({roles}) AND a.ended = 0 AND a.starts_on <= :day"
            " AND a.ends_on >= :day)) ORDER BY u.username", {**names, "day": day})

    def _deputy(self, event: Any) -> str:
        """The deputy of an appointment event (their stream's first event named them)."""
        rows = self.view.rows("SELECT deputy FROM notify_deputies WHERE stream_id = :id",
                              {"id": str(event.originator_id)})
        return str(rows[0]["deputy"]) if rows else ""

    def _holder_or_lane(self, event: Case.TaskReminded | Case.TaskEscalated) -> list[Recipient]:
        """Who is reminded of a step: its holder, else its lane's (the public's lanes never:
        the public is told by the contact it gave)."""
        if event.holder:
            return self._users([event.holder])
        return [] if event.lane in REPORTER_LANES else self._holders(event.lane, event)

    def _users(self, usernames: list[str]) -> list[Recipient]:
        names = {f"u{n}": name for n, name in enumerate(usernames)}
        return self.view.rows(
            "SELECT username, email, whatsapp FROM notify_users WHERE active = 1"
            f" AND username IN ({', '.join(':' + k for k in names)}) ORDER BY username", names)

    def _roles(self, username: str, roles: list[str]) -> list[Statement]:
        return [("DELETE FROM notify_user_roles WHERE username = :user", {"user": username}),
                *(("INSERT INTO notify_user_roles (username, role) VALUES (:user, :role)",
                   {"user": username, "role": role}) for role in sorted(set(roles)))]

    def _username(self, event: Any) -> str | None:
        rows = self.view.rows("SELECT username FROM notify_users WHERE user_id = :id",
                              {"id": str(event.originator_id)})
        return rows[0]["username"] if rows else None

    def _set_user(self, event: Any, tracking: Tracking, **values: Any) -> None:
        sets = ", ".join(f"{k} = :{k}" for k in values)
        self.view.write(tracking, [(f"UPDATE notify_users SET {sets} WHERE user_id = :id",
                                    {**values, "id": str(event.originator_id)})])

    def _case(self, event: Case.Event) -> dict[str, Any] | None:
        rows = self.view.rows("SELECT * FROM notify_cases WHERE case_id = :id",
                              {"id": str(event.originator_id)})
        return rows[0] if rows else None

    def _task(self, task_id: str) -> dict[str, Any] | None:
        rows = self.view.rows("SELECT * FROM notify_tasks WHERE task_id = :id", {"id": task_id})
        return rows[0] if rows else None

    def _delivery(self, event: Any, tracking: Tracking, more_attempts: bool = False,
                  **values: Any) -> None:
        values["updated_at"] = utc(event.timestamp)
        sets = ", ".join(f"{k} = :{k}" for k in values)
        if more_attempts:
            sets += ", attempts = attempts + 1"
        self.view.write(tracking, [(
            f"UPDATE notify_deliveries SET {sets} WHERE delivery_id = :id",
            {**values, "id": str(event.originator_id)})])


def _hold(task_id: str, user: str | None) -> Statement:
    return ("UPDATE notify_tasks SET holder = :user WHERE task_id = :task",
            {"user": user, "task": task_id})


def _task_link(event: Case.Event, task_id: str) -> str:
    return f"/kasus/{event.originator_id}/tugas/{task_id}"


def delivery_key(event: Any, recipient: str, channel: str) -> str:
    """One delivery per source event, recipient and channel (stable across rebuilds)."""
    return f"{event.originator_id}:{event.originator_version}:{recipient}:{channel}"


def _outbox(event: Any, recipient: str, channel: str, address: str, sealed: str,
            case_id: str, subject: str, body: str, link: str, item: str | None) -> Statement:
    key = delivery_key(event, recipient, channel)
    at = utc(event.timestamp)
    return (
        "INSERT INTO notify_deliveries (delivery_id, key, item_id, recipient, channel, address,"
        " sealed, case_id, subject, body, link, created_at, state, attempts, last_error,"
        " updated_at) VALUES (:id, :key, :item, :recipient, :channel, :address, :sealed,"
        " :case, :subject, :body, :link, :at, 'pending', 0, '', :at)"
        " ON CONFLICT (delivery_id) DO NOTHING",
        {"id": str(delivery_id(key)), "key": key, "item": item, "recipient": recipient,
         "channel": channel, "address": address, "sealed": sealed, "case": case_id,
         "subject": subject, "body": body, "link": link, "at": at})
