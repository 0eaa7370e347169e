"""Inbox and task commands: claim, release, complete.

Commands address a task within its case (``/cases/{case_id}/tasks/{task_id}/…``) and load
the case from the write side; the older ``/tasks/{task_id}/…`` paths remain as deprecated
lookups of the task's case in the inbox projection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from flask import current_app
from flask_smorest import Blueprint

from api.auth import current_actor, services
from api.case_tasks import case_task, ensure_task_of_case
from api.cases import for_task, readable_task
from api.concurrency import etag, expected_version
from api.presenters import task_row
from api.report_schemas import InboxArgsSchema
from api.reports import inbox_page_for, log_listed
from api.schemas import (
    AssignTaskSchema,
    CommandResultSchema,
    CompleteTaskSchema,
    InboxTaskSchema,
    TaskCommandSchema,
)
from api.uploads import complete_with_files, multipart_completion, signed_of
from orchestrator.commands import (
    AssignTask,
    ClaimTask,
    CommandResult,
    CompleteTask,
    ReleaseTask,
)
from orchestrator.errors import TaskNotFound, TaskNotReady
from orchestrator.policy import ensure_may_write

blp = Blueprint("tasks", __name__, url_prefix="/api/v1", description="Inbox and tasks")


def find_task(task_id: UUID) -> dict[str, Any] | None:
    """A task's worklist row, catching up once if it is not there yet (the write may be
    newer than the read model; with a separate runner this waits for it, never writes)."""
    svc = services()
    task = svc.inbox.task(str(task_id))
    if task is None:
        svc.projections.refresh()
        task = svc.inbox.task(str(task_id))
    return task


def _case_of(task_id: UUID) -> UUID:
    """The case of a task, looked up in the inbox (only the deprecated paths need this)."""
    task = find_task(task_id)
    if task is None:
        raise TaskNotFound(f"no task {task_id}", task=str(task_id))
    return UUID(task["case_id"])


@blp.route("/inbox")
@blp.arguments(InboxArgsSchema, location="query")
@blp.response(200, InboxTaskSchema(many=True))
def inbox(args: dict[str, Any]) -> tuple[list[dict[str, Any]], int, dict[str, str]]:
    """Tasks ready for the caller's roles (unclaimed, or claimed by the caller), soonest due
    first; ``view`` narrows to mine, unclaimed, overdue or due within 24 hours."""
    actor = current_actor()
    svc = services()
    fresh = svc.projections.wait(args.get("after"), timeout=current_app.config["READ_WAIT"])
    page = inbox_page_for(actor, process=args.get("process"), limit=args["limit"],
                          offset=args["offset"], view=args["view"], q=args.get("q"))
    headers = {"X-Alur-Stale": str(not fresh).lower(), "X-Total-Count": str(page.total)}
    return [task_row(r) for r in page.items], 200, headers


# -- case-addressed: the write side only (the inbox rows carry case_id) ----------------------

@blp.route("/cases/<uuid:case_id>/tasks/<uuid:task_id>")
@blp.response(200, InboxTaskSchema)
def show_in_case(case_id: UUID, task_id: UUID) -> dict[str, Any]:
    """One task of a case (any state), for holders of its lane's role; read from the case."""
    actor = current_actor()
    task = case_task(case_id, task_id)
    if not for_task(actor, task).holds(task["lane"]):
        raise TaskNotFound(f"no task {task_id}", task=str(task_id))
    readable_task(task, actor)  # a sensitive case's task: its readers only, and logged
    log_listed([task], actor, "task")
    return task


@blp.route("/cases/<uuid:case_id>/tasks/<uuid:task_id>/claim", methods=["POST"])
@blp.arguments(TaskCommandSchema(partial=True), required=False)
@blp.response(200, CommandResultSchema)
def claim_in_case(body: dict[str, Any] | None, case_id: UUID, task_id: UUID) -> Any:
    """Claim a ready task: others in the lane no longer see it."""
    return claim_task(case_id, task_id, expected_version(body))


@blp.route("/cases/<uuid:case_id>/tasks/<uuid:task_id>/release", methods=["POST"])
@blp.arguments(TaskCommandSchema(partial=True), required=False)
@blp.response(200, CommandResultSchema)
def release_in_case(body: dict[str, Any] | None, case_id: UUID, task_id: UUID) -> Any:
    """Give a claimed task back to the lane."""
    return release_task(case_id, task_id, expected_version(body))


@blp.route("/cases/<uuid:case_id>/tasks/<uuid:task_id>/assign", methods=["POST"])
@blp.arguments(AssignTaskSchema)
@blp.response(200, CommandResultSchema)
def assign_in_case(body: dict[str, Any], case_id: UUID, task_id: UUID) -> Any:
    """Dispose a ready step to a named holder of its lane with an instruction (and a due
    time): by a holder of the lane while nobody holds it, or by its holder (redisposition)."""
    return assign_task(case_id, task_id, body, expected_version(body))


@blp.route("/cases/<uuid:case_id>/tasks/<uuid:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteTaskSchema)
@blp.response(200, CommandResultSchema)
def complete_in_case(body: dict[str, Any], case_id: UUID, task_id: UUID) -> Any:
    """Complete a ready task with data matching its form."""
    return complete_task(case_id, task_id, body["data"], expected_version(body))


@blp.route("/cases/<uuid:case_id>/tasks/<uuid:task_id>/complete-with-files", methods=["POST"])
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"data": {"type": "string"}, "case_version": {
        "type": "integer"}, "lampiran": {"type": "array", "items": {
            "type": "string", "format": "binary"}}, "ttd_untuk": {
                "type": "string", "pattern": "^[0-9a-f]{64}$", "description":
                "the sha256 of a letter generated in this case: the one file uploaded is its "
                "signed version (DocumentSigned)"}}}}}})
@blp.response(200, CommandResultSchema)
def complete_with_files_in_case(case_id: UUID, task_id: UUID) -> Any:
    """Complete a ready task with files: multipart ``data`` (the form's data as JSON) and
    ``lampiran`` files, stored only if the completion is; ``ttd_untuk`` marks the one file as
    the signed version of a letter generated in the case."""
    ensure_may_write(current_actor())  # before the body is even read
    data, files, version = multipart_completion()
    with _unknown_task_as_404(case_id, task_id):
        result = complete_with_files(case_id, task_id, current_actor(), data, files, version,
                                     signed_of())
    return _done(result)


def claim_task(case_id: UUID, task_id: UUID, version: int | None) -> Any:
    """The claim command on the case, answered with its result and ETag."""
    with _unknown_task_as_404(case_id, task_id):
        result = services().orchestrator.claim_task(
            ClaimTask(case_id, task_id, current_actor(), version))
    return _done(result)


def release_task(case_id: UUID, task_id: UUID, version: int | None) -> Any:
    """The release command on the case, answered with its result and ETag."""
    with _unknown_task_as_404(case_id, task_id):
        result = services().orchestrator.release_task(
            ReleaseTask(case_id, task_id, current_actor(), version))
    return _done(result)


def assign_task(case_id: UUID, task_id: UUID, body: dict[str, Any], version: int | None) -> Any:
    """The assign command on the case (API and pages), answered with its result and ETag."""
    with _unknown_task_as_404(case_id, task_id):
        result = services().orchestrator.assign_task(AssignTask(
            case_id, task_id, current_actor(), body["assignee"], body["instruction"],
            body.get("due_at"), version))
    return _done(result)


def complete_task(case_id: UUID, task_id: UUID, data: dict[str, Any],
                  version: int | None) -> Any:
    """The complete command on the case (JSON or any other body that yields ``data``)."""
    with _unknown_task_as_404(case_id, task_id):
        result = services().orchestrator.complete_task(
            CompleteTask(case_id, task_id, current_actor(), data, version))
    return _done(result)


@contextmanager
def _unknown_task_as_404(case_id: UUID, task_id: UUID) -> Iterator[None]:
    """A task the case never had is a 404; one it had and closed stays a 409."""
    try:
        yield
    except TaskNotReady:
        ensure_task_of_case(case_id, task_id)
        raise


def _done(result: CommandResult) -> tuple[CommandResult, int, dict[str, str]]:
    services().projections.poke()
    return result, 200, etag(result.version)


# -- deprecated: task-addressed paths, a lookup of the task's case in the inbox, then the same --

@blp.route("/tasks/<uuid:task_id>")
@blp.doc(deprecated=True)
@blp.response(200, InboxTaskSchema)
def show(task_id: UUID) -> dict[str, Any]:
    """Deprecated: use ``GET /cases/{case_id}/tasks/{task_id}``."""
    return show_in_case(_case_of(task_id), task_id)


@blp.route("/tasks/<uuid:task_id>/claim", methods=["POST"])
@blp.doc(deprecated=True)
@blp.arguments(TaskCommandSchema(partial=True), required=False)
@blp.response(200, CommandResultSchema)
def claim(body: dict[str, Any] | None, task_id: UUID) -> Any:
    """Deprecated: use ``POST /cases/{case_id}/tasks/{task_id}/claim``."""
    return claim_task(_case_of(task_id), task_id, expected_version(body))


@blp.route("/tasks/<uuid:task_id>/release", methods=["POST"])
@blp.doc(deprecated=True)
@blp.arguments(TaskCommandSchema(partial=True), required=False)
@blp.response(200, CommandResultSchema)
def release(body: dict[str, Any] | None, task_id: UUID) -> Any:
    """Deprecated: use ``POST /cases/{case_id}/tasks/{task_id}/release``."""
    return release_task(_case_of(task_id), task_id, expected_version(body))


@blp.route("/tasks/<uuid:task_id>/complete", methods=["POST"])
@blp.doc(deprecated=True)
@blp.arguments(CompleteTaskSchema)
@blp.response(200, CommandResultSchema)
def complete(body: dict[str, Any], task_id: UUID) -> Any:
    """Deprecated: use ``POST /cases/{case_id}/tasks/{task_id}/complete``."""
    return complete_task(_case_of(task_id), task_id, body["data"], expected_version(body))


@blp.route("/tasks/<uuid:task_id>/complete-with-files", methods=["POST"])
@blp.doc(deprecated=True)
@blp.response(200, CommandResultSchema)
def complete_with_files_view(task_id: UUID) -> Any:
    """Deprecated: use ``POST /cases/{case_id}/tasks/{task_id}/complete-with-files``."""
    return complete_with_files_in_case(_case_of(task_id), task_id)
