"""Letters: generate one from a template in a ready step (numbered from its register, stored
content-addressed, its sha256 in the case's ``DocumentGenerated``), list a case's letters with
their signed versions, download them. A signed version comes back with the step's completion
(``complete-with-files`` with ``ttd_untuk``: the sha256 of the letter it signs)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, request, url_for
from flask_smorest import Blueprint

from api.attachments import AttachmentStore
from api.auth import current_actor, services
from api.case_tasks import ensure_task_of_case
from api.cases import file_response, readable_case
from api.concurrency import etag
from api.presenters import to_wita
from api.schemas import CaseDocumentsSchema, DocumentSchema, GenerateDocumentSchema
from orchestrator.application import GeneratedDocument
from orchestrator.case import Case
from orchestrator.commands import Actor, GenerateDocument
from orchestrator.errors import NotFound, TaskNotReady
from orchestrator.policy import ensure_may_write, may_generate_document

blp = Blueprint("documents", __name__, url_prefix="/api/v1/cases",
                description="Letters generated from templates")


@blp.before_request
def _inspectors_only_read() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        ensure_may_write(current_actor())


def generate(case_id: UUID, task_id: UUID, template: str, fmt: str,
             actor: Actor) -> GeneratedDocument:
    """Generate the letter and store its file (API and pages); a task the case never had is
    a 404."""
    readable_case(case_id, actor)  # a case the actor may not read does not exist for them
    try:
        made = services().orchestrator.generate_document(
            GenerateDocument(case_id, task_id, actor, template, fmt))
    except TaskNotReady:
        ensure_task_of_case(case_id, task_id)
        raise
    AttachmentStore(services().config.data_dir / "lampiran").put(made.content)
    services().projections.poke()
    return made


def document_dict(case_id: UUID, doc: dict[str, Any], endpoint: str = "documents.download"
                  ) -> dict[str, Any]:
    """A letter of the case for clients: times in WITA, download links."""
    def link(sha256: str) -> str:
        return url_for(endpoint, case_id=case_id, sha256=sha256)
    return {**doc, "at": to_wita(doc.get("at")), "download_url": link(doc["sha256"]),
            "signed": [{**s, "at": to_wita(s.get("at")), "download_url": link(s["sha256"])}
                       for s in doc.get("signed") or []]}


def template_choices(case: Case, actor: Actor) -> list[dict[str, Any]]:
    """The templates the actor may generate now, per open step of the case."""
    app = services().orchestrator
    if case.status != "active":
        return []
    model, _ = app.model(case.process_key, case.process_version)
    return [{"key": t.key, "name": t.name, "register": t.register, "task_id": task.task_id,
             "step": task.name}
            for task in case.open_tasks.values()
            if may_generate_document(actor, model, task.lane)
            for t in app.templates.for_step(case.process_key, task.element_id)]


def find_document(case: Case, sha256: str) -> tuple[str, str] | None:
    """(name, kind) of a letter of the case or of one of its signed versions."""
    for doc in case.generated():
        if doc["sha256"] == sha256:
            return doc["name"], "dokumen"
        for signed in doc.get("signed") or []:
            if signed["sha256"] == sha256:
                return signed["name"], "dokumen bertanda tangan"
    return None


@blp.route("/<uuid:case_id>/documents", methods=["POST"])
@blp.arguments(GenerateDocumentSchema)
@blp.response(201, DocumentSchema)
def create(body: dict[str, Any], case_id: UUID) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Generate a letter (DOCX or PDF) from a template of a ready step the caller may act in:
    filled from the case's data, numbered from the template's register (gap-free per year; a
    new version of the case's letter keeps its number), stored under its sha256."""
    made = generate(case_id, body["task_id"], body["template"], body["format"],
                    current_actor())
    shown = {**document_dict(case_id, made.document), "case_version": made.result.version,
             "position": made.result.position}
    return shown, 201, {**etag(made.result.version), "Location": shown["download_url"]}


@blp.route("/<uuid:case_id>/documents")
@blp.response(200, CaseDocumentsSchema)
def index(case_id: UUID) -> dict[str, Any]:
    """The case's letters (every version, with its signed versions) and the templates the
    caller may generate now."""
    actor = current_actor()
    case = readable_case(case_id, actor)
    return {"documents": [document_dict(case_id, d) for d in case.generated()],
            "templates": template_choices(case, actor)}


@blp.route("/<uuid:case_id>/documents/<sha256>")
@blp.response(200, description="the letter, as a download",
              content_type="application/octet-stream")
def download(case_id: UUID, sha256: str) -> Response:
    """A letter of the case (or a signed version of it), as a download (a sensitive case's
    read is logged); 404 for anything else."""
    actor = current_actor()
    case = readable_case(case_id, actor)
    found = find_document(case, sha256)
    if found is None:
        raise NotFound("no such document")
    return file_response(case, sha256, found[0], actor, found[1])
