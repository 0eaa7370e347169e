"""A case's task as the write side knows it, shaped like an inbox row.

An open task comes from the Case aggregate (lane, form, properties, claim); a closed one from
the case's own events. Never from a projection: commands and the task page must not wait for
the read side (with a separate runner that is down, they would wait for nothing).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from api.auth import services
from api.presenters import dispositions_wita, to_wita
from orchestrator.case import Case, OpenTask
from orchestrator.errors import TaskNotFound
from orchestrator.worktime import Calendars, Duration, parse_duration
from projections.inbox import SUBJECT_KEYS

READY, COMPLETED, CANCELLED = "ready", "completed", "cancelled"


def case_task(case_id: UUID, task_id: UUID) -> dict[str, Any]:
    """The task of this case, in any state; TaskNotFound if the case never had it."""
    case = services().orchestrator.get_case(case_id)
    task = case.open_tasks.get(str(task_id))
    if task is not None:
        return task_dict(case, task, READY)
    found = closed_task(case, task_id)
    if found is None:
        raise TaskNotFound(f"no task {task_id} in case {case_id}", task=str(task_id))
    return task_dict(case, *found)


def ensure_task_of_case(case_id: UUID, task_id: UUID) -> None:
    """Raise TaskNotFound unless the case has (or had) this task (404 rather than 409)."""
    case_task(case_id, task_id)


def closed_task(case: Case, task_id: UUID) -> tuple[OpenTask, str] | None:
    """A task no longer open, rebuilt from the case's events, with its final state."""
    wanted, task, state = str(task_id), None, CANCELLED
    for event in services().orchestrator.case_events(case.id, resolved=True):
        if getattr(event, "task_id", None) != wanted:
            continue
        if isinstance(event, Case.TaskActivated):
            task = OpenTask(event.task_id, event.element_id, event.name, event.lane,
                            event.form, event.properties, event.timestamp.isoformat())
        elif task is not None and isinstance(event, Case.TaskClaimed | Case.TaskReleased):
            task = replace(task, claimed_by=event.actor
                           if isinstance(event, Case.TaskClaimed) else None)
        elif task is not None and isinstance(event, Case.TaskAssigned):
            task = replace(task, dispositions=list(task.dispositions))
            event.apply_to_task(task)
        elif isinstance(event, Case.TaskCompleted):
            state = COMPLETED
    return (task, state) if task is not None else None


def task_dict(case: Case, task: OpenTask, state: str) -> dict[str, Any]:
    """The fields of an inbox row (times in WITA), computed from the write model."""
    return {
        "task_id": task.task_id, "case_id": str(case.id), "process": case.process_key,
        "process_version": case.process_version,
        "element_id": task.element_id, "name": task.name, "lane": task.lane, "state": state,
        "claimed_by": task.claimed_by, "activated_at": to_wita(task.activated_at),
        "due_at": to_wita(due_at(task, services().calendar)), "form": task.form,
        "properties": task.properties, "registration": case.registration,
        "subject": subject(case.data), "summary": summary(case.data),
        "assigned_by": task.assigned_by, "instruction": task.instruction,
        "assignment_due_at": to_wita(task.assignment_due_at),
        "dispositions": dispositions_wita(task.dispositions),
    }


def due_at(task: OpenTask, calendar: Calendars) -> str | None:
    """When the step is due by its decree duration, in working time (as the inbox has it)."""
    duration = parse_duration(task.properties.get("duration"))
    if duration is None or not (duration.days or duration.minutes):
        return None
    start = datetime.fromisoformat(task.activated_at)
    return calendar.at(start).add(  # computed when the step was activated
        start, Duration(minutes=duration.minutes, days=duration.days)).isoformat()


def subject(data: dict[str, Any]) -> str:
    return next((str(data[k])[:300] for k in SUBJECT_KEYS if data.get(k)), "")


def summary(data: dict[str, Any]) -> dict[str, Any]:
    """The first few scalar fields of the case data (never nested identities)."""
    scalars = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
    return dict(list(scalars.items())[:6])
