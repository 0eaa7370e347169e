"""What ``/healthz`` reports: is the process up and its store reachable (the status code), and
is the read side keeping up (``status: ok | degraded`` and each projection's figures).

A lagging or stuck projection answers 200 with ``degraded``: commands address the write side
and keep working, and every API process shares the same projections, so routing traffic away
from one (or restarting it) would not help and would turn a slow read side into an outage.
Only a store this process cannot reach answers 503.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.presenters import to_wita
from api.services import ApiServices
from orchestrator.application import Orchestrator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """Past either, a projection is degraded."""

    max_lag: int  # notifications written but not yet processed
    max_age_seconds: float  # age of the oldest notification not yet processed


def health(services: ApiServices) -> tuple[dict[str, Any], int]:
    """The health document and its HTTP status."""
    config = services.config
    limits = Limits(config.health_max_lag, config.health_max_age_seconds)
    try:
        rows = [_measured(services, row) for row in services.projections.status()]
    except Exception as exc:  # whatever broke, this process cannot answer from its store
        log.exception("health check could not read the store")
        return {"status": "unavailable", "detail": f"store unreachable: {type(exc).__name__}"}, 503
    judged = [{**row, "problems": problems(row, limits)} for row in rows]
    status = "degraded" if any(row["problems"] for row in judged) else "ok"
    return {"status": status, "limits": {"max_lag": limits.max_lag,
                                         "max_age_seconds": limits.max_age_seconds},
            "projections": judged}, 200


def problems(row: dict[str, Any], limits: Limits) -> list[str]:
    """Why this projection is degraded (empty: it is not)."""
    found = []
    if row["lag"] > limits.max_lag:
        found.append(f"{row['lag']} notifications behind (limit {limits.max_lag})")
    age = row.get("oldest_unprocessed_age_seconds")
    if row["lag"] and age is None:
        found.append("the oldest unprocessed notification cannot be decoded")
    elif age is not None and age > limits.max_age_seconds:
        found.append(f"the oldest unprocessed notification is {age:.0f} s old"
                     f" (limit {limits.max_age_seconds:g} s)")
    if row["skipped"]:
        found.append(f"{row['skipped']} undecodable event(s) skipped")
    return found


def _measured(services: ApiServices, row: dict[str, Any]) -> dict[str, Any]:
    """A status row with the skipped count and the age of its oldest unprocessed event."""
    measured = {"name": row["name"], "position": row["position"], "head": row["head"],
                "lag": row["lag"], "skipped": row.get("skipped", 0),
                "oldest_unprocessed_at": None, "oldest_unprocessed_age_seconds": None}
    if row["lag"] > 0:
        at = _written_at(services.orchestrator, row["position"] + 1)
        if at is not None:
            measured["oldest_unprocessed_at"] = to_wita(at.isoformat())
            measured["oldest_unprocessed_age_seconds"] = round(
                (datetime.now(UTC) - at).total_seconds(), 3)
    return measured


def _written_at(app: Orchestrator, start: int) -> datetime | None:
    """When the first notification at or after ``start`` was written; None if undecodable."""
    batch = app.recorder.select_notifications(start=start, limit=1)
    if not batch:
        return None
    try:
        event = app.mapper.to_domain_event(batch[0])
    except Exception:  # an undecodable event: reported, not raised
        log.warning("notification %s cannot be decoded", batch[0].id)
        return None
    at = getattr(event, "timestamp", None)
    return at if isinstance(at, datetime) else None
