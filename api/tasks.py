"""Inbox and task commands: claim, release, complete."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app
from flask_smorest import Blueprint

from api.auth import current_actor, services
from api.cases import readable_task
from api.concurrency import etag, expected_version
from api.presenters import task_row
from api.report_schemas import InboxArgsSchema
from api.reports import inbox_page_for, log_listed
from api.schemas import (
    CommandResultSchema,
    CompleteTaskSchema,
    InboxTaskSchema,
    TaskCommandSchema,
)
from api.uploads import complete_with_files, multipart_completion
from orchestrator.commands import ClaimTask, CompleteTask, ReleaseTask
from orchestrator.errors import TaskNotFound
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


def _task(task_id: UUID) -> dict[str, Any]:
    task = find_task(task_id)
    if task is None:
        raise TaskNotFound(f"no task {task_id}", task=str(task_id))
    return task_row(readable_task(task, current_actor()))


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


@blp.route("/tasks/<uuid:task_id>")
@blp.response(200, InboxTaskSchema)
def show(task_id: UUID) -> dict[str, Any]:
    """One task (any state), for holders of its lane's role."""
    task = _task(task_id)
    if task["lane"] not in current_actor().roles:
        raise TaskNotFound(f"no task {task_id}", task=str(task_id))
    log_listed([task], current_actor(), "task")
    return task_row(task)


@blp.route("/tasks/<uuid:task_id>/claim", methods=["POST"])
@blp.arguments(TaskCommandSchema(partial=True), required=False)
@blp.response(200, CommandResultSchema)
def claim(body: dict[str, Any] | None, task_id: UUID) -> Any:
    """Claim a ready task: others in the lane no longer see it."""
    task = _task(task_id)
    result = services().orchestrator.claim_task(ClaimTask(
        UUID(task["case_id"]), task_id, current_actor(), expected_version(body)))
    return _done(result)


@blp.route("/tasks/<uuid:task_id>/release", methods=["POST"])
@blp.arguments(TaskCommandSchema(partial=True), required=False)
@blp.response(200, CommandResultSchema)
def release(body: dict[str, Any] | None, task_id: UUID) -> Any:
    """Give a claimed task back to the lane."""
    task = _task(task_id)
    result = services().orchestrator.release_task(ReleaseTask(
        UUID(task["case_id"]), task_id, current_actor(), expected_version(body)))
    return _done(result)


@blp.route("/tasks/<uuid:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteTaskSchema)
@blp.response(200, CommandResultSchema)
def complete(body: dict[str, Any], task_id: UUID) -> Any:
    """Complete a ready task with data matching its form."""
    task = _task(task_id)
    result = services().orchestrator.complete_task(CompleteTask(
        UUID(task["case_id"]), task_id, current_actor(), body["data"], expected_version(body)))
    return _done(result)


@blp.route("/tasks/<uuid:task_id>/complete-with-files", methods=["POST"])
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"data": {"type": "string"}, "case_version": {
        "type": "integer"}, "lampiran": {"type": "array", "items": {
            "type": "string", "format": "binary"}}}}}}})
@blp.response(200, CommandResultSchema)
def complete_with_files_view(task_id: UUID) -> Any:
    """Complete a ready task with files: multipart ``data`` (the form's data as JSON) and
    ``lampiran`` files, stored only if the completion is."""
    ensure_may_write(current_actor())  # before the body is even read
    task = _task(task_id)
    data, files, version = multipart_completion()
    return _done(complete_with_files(UUID(task["case_id"]), task_id, current_actor(), data,
                                     files, version))


def _done(result: Any) -> Any:
    services().projections.poke()
    return result, 200, etag(result.version)
