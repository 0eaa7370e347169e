"""Turn write-model objects and events into API dicts (the one event vocabulary for clients)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from orchestrator.audit import AccessEntry
from orchestrator.case import Case
from orchestrator.verification import Verification
from orchestrator.worktime import Calendars, Duration

WITA = ZoneInfo("Asia/Makassar")
_HIDDEN = {"originator_id", "originator_version", "timestamp", "prev_hash", "engine_state",
           "engine_delta",
           "originator_topic", "actor", "task_id", "passed", "sealed"}


def to_wita(value: str | None) -> str | None:
    """ISO 8601 in WITA (+08:00) for clients; read models store UTC so that text sorts."""
    return datetime.fromisoformat(value).astimezone(WITA).isoformat() if value else value


def task_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, **{k: to_wita(row.get(k)) for k in (
        "activated_at", "due_at", "completed_at", "assignment_due_at")}}


def dispositions_wita(chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**d, "at": to_wita(d.get("at")), "due_at": to_wita(d.get("due_at"))}
            for d in chain]


def step_dict(step: dict[str, Any]) -> dict[str, Any]:
    """A completed step's own record (times in WITA)."""
    return {**step, "activated_at": to_wita(step.get("activated_at")),
            "completed_at": to_wita(step.get("completed_at")),
            "dispositions": dispositions_wita(step.get("dispositions") or [])}


def comment_dict(comment: dict[str, Any]) -> dict[str, Any]:
    return {**comment, "at": to_wita(comment.get("at"))}


def deadline_dict(case: Case, calendar: Calendars) -> dict[str, Any] | None:
    """The case's service time with its due moment in working time (extensions included),
    with the calendar as recorded when it was last computed (set or extended), as the
    worklist has it."""
    if case.deadline is None:
        return None
    deadline = dict(case.deadline)
    extensions = deadline["extensions"]
    days = deadline["working_days"] + sum(e["working_days"] for e in extensions)
    minutes = deadline["working_minutes"] + sum(e["working_minutes"] for e in extensions)
    start = datetime.fromisoformat(deadline.pop("set_at"))
    as_of = datetime.fromisoformat(extensions[-1]["at"]) if extensions else start
    due = calendar.at(as_of).add(start, Duration(minutes=minutes, days=days)) \
        if days or minutes else None
    deadline["due_at"] = due.astimezone(WITA).isoformat() if due else None
    deadline["started_at"] = start.astimezone(WITA).isoformat()
    return deadline


def case_dict(case: Case, calendar: Calendars, position: int | None = None) -> dict[str, Any]:
    tasks = [{**asdict(t), "id": t.task_id, "activated_at": to_wita(t.activated_at),
              "assignment_due_at": to_wita(t.assignment_due_at),
              "dispositions": dispositions_wita(t.dispositions)}
             for t in case.open_tasks.values()]
    result = {
        "id": str(case.id), "registration": case.registration, "process": case.process_key,
        "version": case.process_version,
        "status": case.status, "data": case.data, "open_tasks": tasks,
        "case_version": case.version, "started_by": case.started_by, "path": case.path,
        "steps": [step_dict(s) for s in case.steps],
        "head_hash": case.head_hash, "deadline": deadline_dict(case, calendar),
        "timers": [{**t, "armed_at": to_wita(t.get("armed_at"))} for t in case.armed().values()],
    }
    if position is not None:
        result["position"] = position
    return result


def event_dict(event: Case.Event) -> dict[str, Any]:
    fields = {k: v for k, v in event.__dict__.items() if k not in _HIDDEN}
    data = fields.pop("data", None)
    return {
        "seq": event.originator_version,
        "type": event.type_name,
        "at": event.timestamp.astimezone(WITA).isoformat(),
        "actor": getattr(event, "actor", None) or getattr(event, "by", None),
        "task": getattr(event, "task_id", None),
        "element_id": fields.get("element_id") or fields.get("gateway_id"),
        "data": data if data is not None else fields,
        "acting_for": getattr(event, "acting_for", None),
        "prev_hash": event.prev_hash,
    }


def verification_dict(result: Verification) -> dict[str, Any]:
    bad = result.first_bad
    return {"case_id": str(result.originator_id), "ok": result.ok, "events": result.events,
            "head_hash": result.head_hash, "first_bad": asdict(bad) if bad else None}


def access_dict(entry: AccessEntry) -> dict[str, Any]:
    return {**asdict(entry), "at": entry.at.astimezone(WITA).isoformat()}
