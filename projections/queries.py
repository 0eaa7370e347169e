"""Reads for the API: plain dicts from read tables, never the write model."""

from __future__ import annotations

import json
from typing import Any

from projections.inbox import InboxView

_TASK_COLUMNS = (
    "t.task_id, t.case_id, t.process, t.element_id, t.name, t.lane, t.form, t.properties,"
    " t.state, t.claimed_by, t.activated_at, t.due_at, t.completed_at, t.completed_by,"
    " c.summary"
)


def _task(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for key in ("form", "properties", "summary"):
        row[key] = json.loads(row[key]) if row.get(key) else {}
    return row


class InboxQueries:
    """Inbox and task lookups over the inbox projection."""

    def __init__(self, view: InboxView) -> None:
        self.view = view

    def inbox(self, roles: frozenset[str], user: str, process: str | None = None,
              limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Ready tasks in the caller's lanes that are unclaimed or claimed by the caller."""
        if not roles:
            return []
        names = {f"r{i}": role for i, role in enumerate(sorted(roles))}
        lanes = ", ".join(f":{name}" for name in names)
        sql = (
            f"SELECT {_TASK_COLUMNS} FROM inbox_tasks t JOIN inbox_cases c USING (case_id)"
            f" WHERE t.state = 'ready' AND t.lane IN ({lanes})"
            " AND (t.claimed_by IS NULL OR t.claimed_by = :user)"
            + (" AND t.process = :process" if process else "")
            + " ORDER BY t.due_at IS NULL, t.due_at, t.activated_at LIMIT :limit OFFSET :offset"
        )
        params = {**names, "user": user, "process": process, "limit": limit, "offset": offset}
        return [_task(r) for r in self.view.rows(sql, params)]

    def task(self, task_id: str) -> dict[str, Any] | None:
        rows = self.view.rows(
            f"SELECT {_TASK_COLUMNS} FROM inbox_tasks t JOIN inbox_cases c USING (case_id)"
            " WHERE t.task_id = :task_id", {"task_id": task_id})
        return _task(rows[0]) if rows else None

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Whole content, ordered, for rebuild-equals-live checks."""
        return {
            "cases": self.view.rows("SELECT * FROM inbox_cases ORDER BY case_id"),
            "tasks": self.view.rows("SELECT * FROM inbox_tasks ORDER BY task_id"),
        }
