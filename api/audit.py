"""Audit for inspectors: verify a case's hash chain, replay it as of event N, export it, and
read the access log of a sensitive case. Every view here only reads."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, json
from flask_smorest import Blueprint

from api.auth import current_actor, services
from api.cases import readable_case, shown_case
from api.export import export_document, render_pdf
from api.presenters import access_dict, verification_dict
from api.schemas import (
    AccessEntrySchema,
    ExportSchema,
    ReplayQuerySchema,
    ReplaySchema,
    VerificationSchema,
)
from orchestrator.audit import Auditor
from orchestrator.policy import INSPECTOR, ensure, may_read_access_log

blp = Blueprint("audit", __name__, url_prefix="/api/v1/cases",
                description="Audit: verify, replay, export, access log")


def _auditor() -> Auditor:
    return Auditor(services().orchestrator)


@blp.route("/<uuid:case_id>/audit/verify")
@blp.response(200, VerificationSchema)
def verify(case_id: UUID) -> dict[str, Any]:
    """Recompute the case's hash chain over its stored events; name the first broken link."""
    actor = current_actor()
    if not actor.holds(INSPECTOR):  # inspectors need no load: it fails on a mangled history
        readable_case(case_id, actor)
    return verification_dict(_auditor().verify(case_id))


@blp.route("/<uuid:case_id>/replay")
@blp.arguments(ReplayQuerySchema, location="query")
@blp.response(200, ReplaySchema)
def replay(args: dict[str, Any], case_id: UUID) -> dict[str, Any]:
    """The case as it stood right after event ``at`` (400 outside 1..case_version)."""
    actor = current_actor()
    readable_case(case_id, actor)
    result = _auditor().replay(case_id, args["at"])
    return shown_case(result.case, actor, f"replay@{result.at}", at=result.at,
                      events=result.total)


@blp.route("/<uuid:case_id>/export.json")
@blp.response(200, ExportSchema)
def export_json(case_id: UUID) -> Response:
    """Registration, every event (times in WITA) and the chain's verification, as JSON."""
    actor = current_actor()
    readable_case(case_id, actor)
    doc = export_document(services().orchestrator, case_id, actor, "export.json")
    return Response(json.dumps(doc, ensure_ascii=False), mimetype="application/json",
                    headers=_attachment(case_id, "json"))


@blp.route("/<uuid:case_id>/export.pdf")
@blp.response(200, description="the same export as a PDF", content_type="application/pdf")
def export_pdf(case_id: UUID) -> Response:
    """The export as a PDF with Indonesian headings, for inspectors' files."""
    actor = current_actor()
    readable_case(case_id, actor)
    doc = export_document(services().orchestrator, case_id, actor, "export.pdf")
    return Response(render_pdf(doc, services().orchestrator), mimetype="application/pdf",
                    headers=_attachment(case_id, "pdf"))


@blp.route("/<uuid:case_id>/access-log")
@blp.response(200, AccessEntrySchema(many=True))
def access_log(case_id: UUID) -> list[dict[str, Any]]:
    """Every read of a sensitive case: who, when, what (inspectors and administrators)."""
    actor = current_actor()
    ensure(may_read_access_log(actor), f"{actor.username} may not read access logs")
    return [access_dict(e) for e in _auditor().access_log(case_id)]


def _attachment(case_id: UUID, ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="kasus-{case_id}.{ext}"'}
