"""Reads for the API: plain dicts from the worklist tables, never the write model."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.inbox import NO_DUE, InboxView, utc

_TASK_COLUMNS = (
    "t.task_id, t.case_id, t.process, t.element_id, t.name, t.lane, t.form, t.properties,"
    " t.state, t.claimed_by, t.activated_at, t.due_at, t.completed_at, t.completed_by,"
    " c.summary, c.registration, c.subject, c.process_version,"
    " a.assigned_by, a.instruction, a.due_at AS assignment_due_at"
)
# a task row with its case and its last disposition (if it has one)
_TASK_FROM = (" FROM inbox_tasks t JOIN inbox_cases c USING (case_id)"
              " LEFT JOIN inbox_assignments a ON a.task_id = t.task_id")
_CASE_COLUMNS = (
    "c.case_id, c.process, c.process_version, c.registration, c.status, c.started_at,"
    " c.started_by, c.subject, c.summary, c.updated_at, c.completed_at, c.cycle_minutes,"
    " c.service, c.deadline_at"
)
INBOX_VIEWS = ("all", "mine", "unclaimed", "overdue", "due_soon", "escalated")
DUE_SOON = timedelta(hours=24)
COUNT_CAP = 1000  # X-Total-Count stops here (the page says "1000+")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int


def _json(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    row = dict(row)
    if row.get("due_at") == NO_DUE:
        row["due_at"] = None
    for key in keys:
        row[key] = json.loads(row[key]) if row.get(key) else {}
    return row


def _in(prefix: str, values: list[str]) -> tuple[str, dict[str, Any]]:
    """An IN list with named parameters (both dialects)."""
    params = {f"{prefix}{i}": v for i, v in enumerate(values)}
    return ", ".join(f":{name}" for name in params) or "NULL", params


def _percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))])


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


class InboxQueries:
    """Inbox, task, case-list, SLA and dashboard reads over the worklist projection."""

    def __init__(self, view: InboxView) -> None:
        self.view = view

    def inbox(self, roles: frozenset[str], user: str, process: str | None = None,
              limit: int = 50, offset: int = 0, view: str = "all", q: str | None = None,
              now: datetime | None = None) -> list[dict[str, Any]]:
        return self.inbox_page(roles, user, process=process, limit=limit, offset=offset,
                               view=view, q=q, now=now).items

    def inbox_page(self, roles: frozenset[str], user: str, *, process: str | None = None,
                   limit: int = 50, offset: int = 0, view: str = "all", q: str | None = None,
                   now: datetime | None = None, hidden_lanes: list[str] | None = None,
                   hidden_processes: list[str] | None = None) -> Page:
        """Ready tasks in the caller's lanes that are unclaimed or held by the caller
        (claimed, or disposed to them: ``mine``, "Untuk saya");
        none in ``hidden_lanes`` of ``hidden_processes`` (a sensitive case's reporter steps)."""
        if not roles:
            return Page([], 0)
        if view == "escalated":
            return self._escalated(roles, process=process, limit=limit, offset=offset, q=q,
                                   hidden_lanes=hidden_lanes, hidden_processes=hidden_processes)
        lanes, params = _in("r", sorted(roles))
        now_text = utc(now or datetime.now(UTC))
        where = ["t.state = 'ready'", "(t.claimed_by IS NULL OR t.claimed_by = :user)"]
        where += {
            "all": [], "mine": ["t.claimed_by = :user"], "unclaimed": ["t.claimed_by IS NULL"],
            "overdue": ["t.due_at < :now"], "due_soon": ["t.due_at >= :now", "t.due_at < :soon"],
        }[view]
        if process:
            where.append("t.process = :process")
        if q:
            where.append("(LOWER(c.registration) LIKE :q OR LOWER(c.subject) LIKE :q)")
        if hidden_lanes and hidden_processes:
            names, more = _in("hl", hidden_lanes)
            keys, more_keys = _in("hp", hidden_processes)
            where.append(f"NOT (t.lane IN ({names}) AND t.process IN ({keys}))")
            params.update(more, **more_keys)
        params.update(user=user, process=process, q=f"%{(q or '').lower()}%", now=now_text,
                      soon=utc((now or datetime.now(UTC)) + DUE_SOON), limit=limit,
                      offset=offset, window=limit + offset)
        base = f"{_TASK_FROM} WHERE {' AND '.join(where)}"
        # counting is capped: an exact count of a 10^5-task lane costs more than the page
        total = self.view.rows(f"SELECT COUNT(*) AS n FROM (SELECT 1{base} AND t.lane IN"
                               f" ({lanes}) LIMIT {COUNT_CAP}) AS capped", params)[0]["n"]
        # One index-ordered branch per lane, each cut at the page's end, merged: an IN list
        # over several lanes would read and sort every ready task of those lanes instead.
        branches = " UNION ALL ".join(
            f"SELECT * FROM (SELECT {_TASK_COLUMNS}{base} AND t.lane = :{name}"
            f" ORDER BY t.due_at, t.activated_at LIMIT :window) AS lane{i}"
            for i, name in enumerate(n.lstrip(":") for n in lanes.split(", ")))
        rows = self.view.rows(f"SELECT * FROM ({branches}) AS page ORDER BY due_at, activated_at"
                              " LIMIT :limit OFFSET :offset", params)
        return Page([_json(r, "form", "properties", "summary") for r in rows], int(total))

    def _escalated(self, roles: frozenset[str], *, process: str | None, limit: int, offset: int,
                   q: str | None, hidden_lanes: list[str] | None,
                   hidden_processes: list[str] | None) -> Page:
        """"Eskalasi": open steps escalated to one of the caller's roles, or of a case that
        was (past its service time), whoever's lane they lie in; the most overdue first."""
        names, params = _in("r", sorted(roles))
        where = ["t.state = 'ready'"]
        if process:
            where.append("t.process = :process")
        if q:
            where.append("(LOWER(c.registration) LIKE :q OR LOWER(c.subject) LIKE :q)")
        if hidden_lanes and hidden_processes:
            lanes, more = _in("hl", hidden_lanes)
            keys, more_keys = _in("hp", hidden_processes)
            where.append(f"NOT (t.lane IN ({lanes}) AND t.process IN ({keys}))")
            params.update(more, **more_keys)
        params.update(process=process, q=f"%{(q or '').lower()}%", limit=limit, offset=offset)
        base = (f"{_TASK_FROM} JOIN inbox_escalations e ON (e.subject = t.task_id"
                f" OR e.subject = t.case_id) WHERE e.to_role IN ({names})"
                f" AND {' AND '.join(where)}")
        total = self.view.rows(f"SELECT COUNT(*) AS n FROM (SELECT DISTINCT t.task_id{base}"
                               f" LIMIT {COUNT_CAP}) AS capped", params)[0]["n"]
        rows = self.view.rows(
            f"SELECT {_TASK_COLUMNS}, MIN(e.due_at) AS escalated_due_at,"
            f" MIN(e.escalated_at) AS escalated_at, MIN(e.to_role) AS escalated_to{base}"
            " GROUP BY " + ", ".join(c.split(" AS ")[0] for c in _TASK_COLUMNS.split(", "))
            + " ORDER BY escalated_due_at, t.activated_at LIMIT :limit OFFSET :offset", params)
        return Page([_json(r, "form", "properties", "summary") for r in rows], int(total))

    def due_work(self, now: datetime, limit: int = 100,
                 after: tuple[str, str, str] | None = None) -> list[dict[str, Any]]:
        """The scheduler's work due at ``now``: timers, reminders, escalations, service times,
        the oldest first, from just ``after`` a (due_at, kind, ref) already seen (keyset
        paging on the ``inbox_due (due_at, kind, ref)`` index: O(log n) in what is pending,
        and an item that keeps failing never hides those behind it)."""
        params: dict[str, Any] = {"now": utc(now), "limit": limit}
        where = "due_at <= :now"
        if after is not None:
            where += (" AND (due_at > :a_due OR (due_at = :a_due AND (kind > :a_kind"
                      " OR (kind = :a_kind AND ref > :a_ref))))")
            params.update(a_due=after[0], a_kind=after[1], a_ref=after[2])
        return self.view.rows(
            f"SELECT kind, ref, case_id, due_at, target_at FROM inbox_due WHERE {where}"
            " ORDER BY due_at, kind, ref LIMIT :limit", params)

    def pending_work(self) -> int:
        return int(self.view.rows("SELECT COUNT(*) AS n FROM inbox_due")[0]["n"])

    def task(self, task_id: str) -> dict[str, Any] | None:
        rows = self.view.rows(
            f"SELECT {_TASK_COLUMNS}{_TASK_FROM}"
            " WHERE t.task_id = :task_id", {"task_id": task_id})
        return _json(rows[0], "form", "properties", "summary") if rows else None

    def cases(self, *, processes: list[str] | None = None, status: str | None = None,
              role: str | None = None, started_from: datetime | None = None,
              started_to: datetime | None = None, registration: str | None = None,
              q: str | None = None, limit: int = 50, offset: int = 0) -> Page:
        """Cases by process, status, waiting role, start date range, registration, text."""
        where: list[str] = ["1 = 1"]
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if processes is not None:
            names, more = _in("p", processes)
            where.append(f"c.process IN ({names})")
            params.update(more)
        text = f"%{q.lower()}%" if q else None
        filters = [
            ("c.status = :status", "status", status),
            ("c.registration = :registration", "registration", registration),
            ("c.started_at >= :start", "start", started_from and utc(started_from)),
            ("c.started_at < :end", "end", started_to and utc(started_to)),
            ("EXISTS (SELECT 1 FROM inbox_tasks t WHERE t.case_id = c.case_id"
             " AND t.state = 'ready' AND t.lane = :role)", "role", role),
            ("(LOWER(c.registration) LIKE :q OR LOWER(c.subject) LIKE :q)", "q", text),
        ]
        for clause, name, value in filters:
            if value:
                where.append(clause)
                params[name] = value
        base = f" FROM inbox_cases c WHERE {' AND '.join(where)}"
        total = self.view.rows("SELECT COUNT(*) AS n" + base, params)[0]["n"]
        rows = self.view.rows(f"SELECT {_CASE_COLUMNS}{base} ORDER BY c.started_at DESC"
                              " LIMIT :limit OFFSET :offset", params)
        return Page([_json(r, "summary") for r in rows], int(total))

    def overdue(self, now: datetime | None = None,
                processes: list[str] | None = None) -> dict[str, Any]:
        """Late tasks (with who holds them) and late cases, and counts per role."""
        params: dict[str, Any] = {"now": utc(now or datetime.now(UTC))}
        scope = ""
        if processes is not None:
            names, more = _in("p", processes)
            scope = f" AND c.process IN ({names})"
            params.update(more)
        tasks = self.view.rows(
            f"SELECT {_TASK_COLUMNS}{_TASK_FROM}"
            f" WHERE t.state = 'ready' AND t.due_at < :now{scope} ORDER BY t.due_at", params)
        cases = self.view.rows(
            f"SELECT {_CASE_COLUMNS} FROM inbox_cases c WHERE c.status = 'active'"
            f" AND c.deadline_at < :now{scope} ORDER BY c.deadline_at", params)
        by_role: dict[str, int] = {}
        for task in tasks:
            by_role[task["lane"]] = by_role.get(task["lane"], 0) + 1
        return {"tasks": [_json(t, "form", "properties", "summary") for t in tasks],
                "cases": [_json(c, "summary") for c in cases], "by_role": by_role}

    def workload(self, now: datetime | None = None,
                 processes: list[str] | None = None) -> list[dict[str, Any]]:
        """Open (ready) tasks per lane, and how many of them are past their due time."""
        params: dict[str, Any] = {"now": utc(now or datetime.now(UTC))}
        scope = ""
        if processes is not None:
            names, more = _in("p", processes)
            scope = f" AND t.process IN ({names})"
            params.update(more)
        rows = self.view.rows(
            "SELECT t.lane, COUNT(*) AS open,"
            " SUM(CASE WHEN t.due_at < :now THEN 1 ELSE 0 END) AS overdue"
            f" FROM inbox_tasks t WHERE t.state = 'ready'{scope} GROUP BY t.lane"
            " ORDER BY t.lane", params)
        return [{"lane": r["lane"], "open": int(r["open"]), "overdue": int(r["overdue"] or 0)}
                for r in rows]

    def dashboard(self, process: str | None = None, now: datetime | None = None,
                  processes: list[str] | None = None) -> list[dict[str, Any]]:
        """Per process: open, completed, overdue, cycle time; per step: where cases wait."""
        now_text = utc(now or datetime.now(UTC))
        cases = self.view.rows("SELECT process, status, cycle_minutes, deadline_at"
                               " FROM inbox_cases")
        tasks = self.view.rows("SELECT process, element_id, name, state, work_minutes, due_at"
                               " FROM inbox_tasks")
        keys = sorted({c["process"] for c in cases})
        if process:
            keys = [k for k in keys if k == process]
        if processes is not None:
            keys = [k for k in keys if k in processes]
        return [self._process_stats(k, cases, tasks, now_text) for k in keys]

    @staticmethod
    def _process_stats(key: str, cases: list[dict[str, Any]], tasks: list[dict[str, Any]],
                       now: str) -> dict[str, Any]:
        mine = [c for c in cases if c["process"] == key]
        cycles = [c["cycle_minutes"] for c in mine
                  if c["status"] == "completed" and c["cycle_minutes"] is not None]
        steps: dict[str, dict[str, Any]] = {}
        for task in (t for t in tasks if t["process"] == key):
            step = steps.setdefault(task["element_id"], {
                "element_id": task["element_id"], "name": task["name"], "open": 0,
                "overdue": 0, "done": 0, "_minutes": []})
            if task["state"] == "ready":
                step["open"] += 1
                step["overdue"] += task["due_at"] < now
            elif task["state"] == "completed":
                step["done"] += 1
                step["_minutes"].append(task["work_minutes"] or 0)
        for step in steps.values():
            minutes = step.pop("_minutes")
            step["median_hours"] = _hours(statistics.median(minutes)) if minutes else None
            step["p90_hours"] = _hours(_percentile(minutes, 0.9))
        return {
            "process": key,
            "open": sum(c["status"] == "active" for c in mine),
            "completed": sum(c["status"] == "completed" for c in mine),
            "cancelled": sum(c["status"] == "cancelled" for c in mine),
            "overdue": sum(c["status"] == "active" and bool(c["deadline_at"])
                           and c["deadline_at"] < now for c in mine),
            "cycle_hours": {"median": _hours(statistics.median(cycles)) if cycles else None,
                            "p90": _hours(_percentile(cycles, 0.9))},
            "steps": sorted(steps.values(), key=lambda s: (-s["open"], s["element_id"])),
        }

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Whole content, ordered, for rebuild-equals-live checks."""
        return {
            "cases": self.view.rows("SELECT * FROM inbox_cases ORDER BY case_id"),
            "tasks": self.view.rows("SELECT * FROM inbox_tasks ORDER BY task_id"),
            "assignments": self.view.rows("SELECT * FROM inbox_assignments ORDER BY task_id"),
            "due": self.view.rows("SELECT * FROM inbox_due ORDER BY kind, ref"),
            "escalations": self.view.rows("SELECT * FROM inbox_escalations ORDER BY subject"),
            "case_data": [{"case_id": row["case_id"], "data": json.loads(row["data"])}
                          for row in self.view.rows(
                              "SELECT * FROM inbox_case_values ORDER BY case_id")],
        }
