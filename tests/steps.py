"""Completing steps in tests with data their typed forms accept (tools/form_samples.py), so
a test says only the answer it cares about (a decision, a note) and not every field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from orchestrator.application import Orchestrator
from orchestrator.commands import Actor, CommandResult, CompleteTask
from orchestrator.references import references
from tools.form_samples import sample


def step_data(form: dict[str, Any] | None, **answers: Any) -> dict[str, Any]:
    """The required fields of ``form`` (user fields name the demo user of their first role),
    with ``answers`` on top."""
    form = form or {"type": "object"}
    users = {name: spec["x-alur-lanes"][0]
             for name, spec in (form.get("properties") or {}).items()
             if spec.get("x-alur-widget") == "user" and spec.get("x-alur-lanes")}
    return sample(form, overrides={**users, **answers})


def complete_step(app: Orchestrator, case_id: UUID, actor: Actor, task_id: str | None = None,
                  **answers: Any) -> CommandResult:
    """Complete the case's task ``task_id`` (its first open one by default) with sample data;
    the sample's documents stand for files uploaded with the completion."""
    case = app.get_case(case_id)
    task = case.open_tasks[task_id] if task_id else next(iter(case.open_tasks.values()))
    data = step_data(task.form, **answers)
    return app.complete_task(CompleteTask(case_id, UUID(task.task_id), actor, data),
                             uploaded=frozenset(references(data)))
