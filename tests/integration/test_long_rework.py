"""A case driven through hundreds of rework rounds stays open until its work is done."""

from __future__ import annotations

from uuid import UUID

from alur.bootstrap import Services
from orchestrator.commands import Actor, CompleteTask, StartCase

ADMIN = Actor("admin", frozenset({"admin"}))
ROUNDS = 601  # SpiffWorkflow's task iteration stopped at depth 1000: two levels per round



def test_a_case_after_600_rework_rounds_is_not_completed_until_approved(
        rework: Services) -> None:
    app = rework.orchestrator
    case_id = app.start_case(StartCase("rework", {}, ADMIN)).case_id
    for _ in range(ROUNDS):
        (task_id,) = app.get_case(case_id).open_tasks
        app.complete_task(CompleteTask(case_id, UUID(task_id), ADMIN, {"ok": "tidak"}))
    latest = app.get_case(case_id).version
    case = app.get_case(case_id, version=latest)  # from the store, not the cached copy
    assert case.status == "active" and len(case.open_tasks) == 1
    (task_id,) = case.open_tasks
    app.complete_task(CompleteTask(case_id, UUID(task_id), ADMIN, {"ok": "ya"}))
    case = app.get_case(case_id)
    assert case.status == "completed" and case.open_tasks == {}
    types = [type(e).__name__ for e in app.case_events(case_id)]
    assert types.count("Completed") == 1 and types.count("TaskCompleted") == ROUNDS + 1

