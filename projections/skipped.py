"""Notifications a view could not apply (an undecodable record, an unknown topic, a handler
that failed on it): kept in a table of the view, written with the view's tracking record in
one transaction, so that one bad event neither stops the projection nor goes unnoticed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Notification, Tracking

from projections.sql import SqlView


def skipped_ddl(table: str) -> str:
    return (f"CREATE TABLE IF NOT EXISTS {table} ("
            " notification_id BIGINT PRIMARY KEY, originator_id TEXT NOT NULL,"
            " originator_version BIGINT NOT NULL, topic TEXT NOT NULL, error TEXT NOT NULL,"
            " skipped_at TEXT NOT NULL)")


def _table(view: SqlView) -> str:
    table = getattr(view, "skipped_table", "")
    if not table:
        raise TypeError(f"{type(view).__name__} keeps no table of skipped notifications")
    return table


def record_skipped(view: SqlView, application_name: str, notification: Notification,
                   error: BaseException) -> None:
    """Record the notification as skipped and advance the view past it, all or nothing."""
    row = {"id": notification.id, "originator": str(notification.originator_id),
           "version": notification.originator_version, "topic": notification.topic,
           "error": f"{type(error).__name__}: {error}"[:1000],
           "at": datetime.now(UTC).isoformat()}
    with view._transaction(commit=True) as cursor:
        cursor.execute(view._sql(
            f"INSERT INTO {_table(view)} (notification_id, originator_id, originator_version,"
            " topic, error, skipped_at) VALUES (:id, :originator, :version, :topic, :error,"
            " :at)"), row)
        view._insert_tracking(cursor, Tracking(application_name, notification.id))  # type: ignore[attr-defined]


def skipped(view: SqlView, limit: int = 100) -> list[dict[str, Any]]:
    """The skipped notifications, oldest first."""
    return view.rows(f"SELECT notification_id, originator_id, originator_version, topic, error,"
                     f" skipped_at FROM {_table(view)} ORDER BY notification_id"
                     f" LIMIT {int(limit)}")


def skipped_count(view: SqlView) -> int:
    if not getattr(view, "skipped_table", ""):
        return 0
    (row,) = view.rows(f"SELECT COUNT(*) AS n FROM {_table(view)}")
    return int(row["n"])
