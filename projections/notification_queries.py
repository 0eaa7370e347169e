"""Reads of the notifications projection: a user's notifications, the outbox, its failures;
and the steps whose due time calls for a reminder (from the worklist)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from projections.inbox import utc
from projections.queries import Page
from projections.sql import SqlView

DELIVERY_COLUMNS = (
    "delivery_id, key, recipient, channel, address, sealed, case_id, subject, body, link,"
    " created_at, state, attempts, retry_at, lease_until, last_error, updated_at")
# what an administrator looks at: deliveries that did not (or not yet) get through
TROUBLE_STATES = ("failed", "unconfirmed", "retry")


class NotificationQueries:
    """What the bell, the notification pages and the sender read."""

    def __init__(self, view: SqlView) -> None:
        self.view = view

    def unread_count(self, username: str) -> int:
        (row,) = self.view.rows("SELECT COUNT(*) AS n FROM notify_items WHERE username = :user"
                                " AND read_at IS NULL", {"user": username})
        return int(row["n"])

    def items(self, username: str, unread_only: bool = False, limit: int = 50,
              offset: int = 0) -> Page:
        """The user's notifications, newest first."""
        where = "username = :user" + (" AND read_at IS NULL" if unread_only else "")
        params = {"user": username, "limit": limit, "offset": offset}
        (total,) = self.view.rows(f"SELECT COUNT(*) AS n FROM notify_items WHERE {where}",
                                  params)
        rows = self.view.rows(
            "SELECT id, kind, title, body, link, case_id, created_at, read_at FROM notify_items"
            f" WHERE {where} ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset", params)
        return Page(rows, int(total["n"]))

    def owned(self, username: str, ids: list[str]) -> list[str]:
        """Those of ``ids`` that are the user's notifications."""
        names = {f"i{n}": item for n, item in enumerate(ids[:500])}
        if not names:
            return []
        rows = self.view.rows(
            "SELECT id FROM notify_items WHERE username = :user"
            f" AND id IN ({', '.join(':' + k for k in names)})", {"user": username, **names})
        return sorted(r["id"] for r in rows)

    def due_deliveries(self, now: datetime, max_age: timedelta,
                       limit: int = 100) -> list[dict[str, Any]]:
        """Outbox rows a sender should look at now: pending, retry due, or a claim whose
        lease ran out (the stored delivery stream decides what is really done with each).
        Rows older than ``max_age`` are left alone: a projection built over an old log
        must not mail its history."""
        params = {"now": utc(now), "oldest": utc(now - max_age), "limit": limit}
        return self.view.rows(
            f"SELECT {DELIVERY_COLUMNS} FROM notify_deliveries WHERE created_at >= :oldest AND"
            " (state = 'pending' OR (state = 'retry' AND retry_at <= :now)"
            " OR (state IN ('sending', 'handing_over') AND lease_until <= :now))"
            " ORDER BY created_at, delivery_id LIMIT :limit", params)

    def deliveries(self, states: tuple[str, ...] = TROUBLE_STATES, limit: int = 100,
                   offset: int = 0) -> Page:
        """Deliveries in ``states``, newest first (the failure list)."""
        names = {f"s{n}": s for n, s in enumerate(states)}
        where = f"state IN ({', '.join(':' + k for k in names)})"
        params = {**names, "limit": limit, "offset": offset}
        (total,) = self.view.rows(f"SELECT COUNT(*) AS n FROM notify_deliveries WHERE {where}",
                                  params)
        rows = self.view.rows(f"SELECT {DELIVERY_COLUMNS} FROM notify_deliveries WHERE {where}"
                              " ORDER BY updated_at DESC LIMIT :limit OFFSET :offset", params)
        return Page(rows, int(total["n"]))

    def delivery(self, delivery_id: str) -> dict[str, Any] | None:
        rows = self.view.rows(f"SELECT {DELIVERY_COLUMNS} FROM notify_deliveries"
                              " WHERE delivery_id = :id", {"id": delivery_id})
        return rows[0] if rows else None

    def counts(self) -> dict[str, int]:
        rows = self.view.rows("SELECT state, COUNT(*) AS n FROM notify_deliveries"
                              " GROUP BY state")
        return {r["state"]: int(r["n"]) for r in rows}
