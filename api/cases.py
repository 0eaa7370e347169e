"""Cases: start, show, history, attachments, service-time extension, cancel."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, request, send_file
from flask_smorest import Blueprint

from api.attachments import AttachmentStore, cited_items, download_type
from api.auth import current_actor, services
from api.concurrency import etag, expected_version
from api.presenters import case_dict, comment_dict, event_dict
from api.schemas import (
    AddCommentSchema,
    CancelCaseSchema,
    CaseSchema,
    CommandResultSchema,
    CommentSchema,
    EventSchema,
    ExtendDeadlineSchema,
    StartCaseSchema,
)
from api.starting import start_with_files
from orchestrator.audit import Auditor
from orchestrator.case import Case
from orchestrator.commands import Actor, AddComment, CancelCase, ExtendDeadline
from orchestrator.errors import CaseNotFound, NotFound, TaskNotFound
from orchestrator.policy import (
    desk_for_requester,
    ensure_may_write,
    may_read_case,
    may_see_task,
)

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="Cases")


@blp.before_request
def _inspectors_only_read() -> None:
    """Inspectors are read-only: refuse their writes before a payload is even validated."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        ensure_may_write(current_actor())


def readable_case(case_id: UUID, actor: Actor) -> Case:
    """The case, if the actor holds one of its process's roles or reads for audit."""
    app = services().orchestrator
    case = app.get_case(case_id)
    if not may_read_case(actor, app.model(case.process_key, case.process_version)[0]):
        raise CaseNotFound(f"no case {case_id}", case=str(case_id))  # don't reveal existence
    return case


def for_task(actor: Actor, task: dict[str, Any]) -> Actor:
    """The actor as the write side lets them act on this task: the desk also holds the
    requester's lane of a case that is not sensitive (``policy.desk_for_requester``)."""
    model, _ = services().orchestrator.model(task["process"], task["process_version"])
    return desk_for_requester(actor, model)


def readable_task(task: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """A worklist task row, unless it belongs to a sensitive case the actor may not see
    (or is that case's reporter step): then 404, as for a task that does not exist."""
    model, _ = services().orchestrator.model(task["process"], task["process_version"])
    if not may_see_task(actor, model, task["lane"]):
        raise TaskNotFound(f"no task {task['task_id']}", task=task["task_id"])
    return task


def attachment_response(case: Case, sha256: str, actor: Actor, what: str) -> Response:
    """A file the case cites, as a download (never rendered inline); a read of a sensitive
    case's file is logged first. 404 for anything the case does not cite."""
    app = services().orchestrator
    sources = [case.data, *(getattr(e, "data", None) for e in app.case_events(case.id))]
    item = cited_items(sources).get(sha256)
    if item is None:
        raise NotFound("no such attachment")
    return file_response(case, sha256, str(item.get("nama") or sha256), actor, what)


def file_response(case: Case, sha256: str, name: str, actor: Actor, what: str) -> Response:
    """A stored file of the case as a download (attachment, nosniff, sandboxed, not cached);
    a read of a sensitive case's file is logged first."""
    path = AttachmentStore(services().config.data_dir / "lampiran").path(sha256)
    if not path.exists():
        raise NotFound("attachment file is missing")
    Auditor(services().orchestrator).record_read(case, actor, f"{what} {sha256[:12]}")
    response = send_file(path, as_attachment=True, download_name=name,
                         mimetype=download_type(name), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def shown_case(case: Case, actor: Actor, what: str, **extra: Any) -> dict[str, Any]:
    """The case as this actor may see it; a read of a sensitive case is logged before it is
    answered, and only the handling role sees the reporter in clear."""
    auditor = Auditor(services().orchestrator)
    body = {**case_dict(case, services().calendar), **extra}
    if auditor.is_sensitive(case):
        body["reporter"], revealed = auditor.reporter(case, actor)
        auditor.record_read(case, actor, what, revealed)
    return body


@blp.route("", methods=["POST"])
@blp.arguments(StartCaseSchema)
@blp.response(201, CaseSchema)
def start(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Start a case of a deployed process (latest version)."""
    app, actor = services().orchestrator, current_actor()
    result = start_with_files(body["process"], body["data"], actor)
    case = app.get_case(result.case_id)
    shown = shown_case(case, actor, "case (start)", position=result.position)
    return shown, 201, etag(result.version)


@blp.route("/<uuid:case_id>")
@blp.response(200, CaseSchema)
def show(case_id: UUID) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The case now: status, data, open tasks, version (also as ETag)."""
    actor = current_actor()
    case = readable_case(case_id, actor)
    return shown_case(case, actor, "case"), 200, etag(case.version)


@blp.route("/<uuid:case_id>/events")
@blp.response(200, EventSchema(many=True))
def events(case_id: UUID) -> list[dict[str, Any]]:
    """The case's full history, in order."""
    actor = current_actor()
    case = readable_case(case_id, actor)
    Auditor(services().orchestrator).record_read(case, actor, "events")
    return [event_dict(e) for e in services().orchestrator.case_events(case_id, resolved=True)]


@blp.route("/<uuid:case_id>/comments")
@blp.response(200, CommentSchema(many=True))
def comments(case_id: UUID) -> list[dict[str, Any]]:
    """The case's comments, oldest first (a sensitive case's read is logged)."""
    actor = current_actor()
    case = readable_case(case_id, actor)
    Auditor(services().orchestrator).record_read(case, actor, "comments")
    return [comment_dict(c) for c in case.comments]


@blp.route("/<uuid:case_id>/comments", methods=["POST"])
@blp.arguments(AddCommentSchema)
@blp.response(201, CommandResultSchema)
def add_comment(body: dict[str, Any], case_id: UUID) -> Any:
    """Comment on an open case (optionally on one of its steps); never moves the engine."""
    actor = current_actor()
    readable_case(case_id, actor)  # a case the actor may not read does not exist for them
    result = services().orchestrator.add_comment(
        AddComment(case_id, actor, body["text"], body.get("task_id")))
    services().projections.poke()
    return result, 201, etag(result.version)


@blp.route("/<uuid:case_id>/attachments/<sha256>")
@blp.response(200, description="the file, as a download", content_type="application/octet-stream")
def attachment(case_id: UUID, sha256: str) -> Response:
    """A file the case cites (its ``lampiran``), for those who may read the case."""
    actor = current_actor()
    return attachment_response(readable_case(case_id, actor), sha256, actor, "lampiran")


@blp.route("/<uuid:case_id>/deadline/extend", methods=["POST"])
@blp.arguments(ExtendDeadlineSchema)
@blp.response(200, CommandResultSchema)
def extend_deadline(body: dict[str, Any], case_id: UUID) -> Any:
    """Extend the service time once, with a written reason (e.g. PPID: +2 or +7 working days)."""
    result = services().orchestrator.extend_deadline(
        ExtendDeadline(case_id, current_actor(), body["reason"], expected_version(body)))
    services().projections.poke()
    return result, 200, etag(result.version)


@blp.route("/<uuid:case_id>/cancel", methods=["POST"])
@blp.arguments(CancelCaseSchema)
@blp.response(200, CommandResultSchema)
def cancel(body: dict[str, Any], case_id: UUID) -> Any:
    """Cancel an active case with a reason (administrators and process owners), if they may
    read it: a sensitive report is not silenced by someone who cannot see it."""
    readable_case(case_id, current_actor())
    result = services().orchestrator.cancel_case(
        CancelCase(case_id, current_actor(), body["reason"], expected_version(body)))
    services().projections.poke()
    return result, 200, etag(result.version)
