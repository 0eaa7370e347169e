"""Inspectors' replay page: step through a case's events with the diagram showing the path up
to the chosen event, the hash chain's status, and the exports (JSON, PDF)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, json, render_template, request

from api.auth import services
from api.cases import readable_case, shown_case
from api.export import export_document, render_pdf
from api.pages.cases import diagram_context, timeline
from api.pages.common import page_actor, page_blueprint, permitted
from api.presenters import verification_dict
from orchestrator.audit import Auditor
from orchestrator.policy import may_audit

bp = page_blueprint("pages_audit")


@bp.get("/audit/kasus/<uuid:case_id>")
@permitted(may_audit)
def replay(case_id: UUID) -> Any:
    """The case as it stood right after event ``pada`` (default: the last)."""
    actor = page_actor()
    readable_case(case_id, actor)
    auditor = Auditor(services().orchestrator)
    total = auditor.total_events(case_id)
    at = min(max(request.args.get("pada", total, type=int) or total, 1), total)
    result = auditor.replay(case_id, at)
    shown = shown_case(result.case, actor, f"replay@{at} (halaman audit)")
    events = timeline(case_id)
    current = events[at - 1]
    return render_template(
        "audit.html", case=shown, events=events, at=at, total=total, current=current,
        verification=verification_dict(auditor.verify(case_id)),
        **diagram_context(result.case.process_key, result.case.process_version))


def _export(case_id: UUID, what: str) -> dict[str, Any]:
    actor = page_actor()
    readable_case(case_id, actor)
    return export_document(services().orchestrator, case_id, actor, what)


def _attachment(case_id: UUID, ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="kasus-{case_id}.{ext}"'}


@bp.get("/audit/kasus/<uuid:case_id>/ekspor.json")
@permitted(may_audit)
def export_json(case_id: UUID) -> Response:
    doc = _export(case_id, "export.json (halaman audit)")
    return Response(json.dumps(doc, ensure_ascii=False), mimetype="application/json",
                    headers=_attachment(case_id, "json"))


@bp.get("/audit/kasus/<uuid:case_id>/ekspor.pdf")
@permitted(may_audit)
def export_pdf(case_id: UUID) -> Response:
    doc = _export(case_id, "export.pdf (halaman audit)")
    return Response(render_pdf(doc, services().orchestrator), mimetype="application/pdf",
                    headers=_attachment(case_id, "pdf"))
