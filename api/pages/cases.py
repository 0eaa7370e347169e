"""Case pages: find a case, see it on its diagram (done and current steps) with its timeline,
and download the attachments it references."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import render_template, request

from api.attachments import cited_items
from api.auth import services
from api.cases import attachment_response, readable_case, shown_case
from api.pages.common import login_required, page_actor, page_blueprint
from api.presenters import event_dict
from api.reports import case_row, log_listed, visible_processes
from orchestrator.policy import may_audit

bp = page_blueprint("pages_cases")


def diagram_context(case_key: str, version: int) -> dict[str, Any]:
    """The BPMN of the version a case runs on, and its element names."""
    app = services().orchestrator
    model, _ = app.model(case_key, version)
    return {"bpmn": app.definition(case_key).bpmn[version], "elements": model.elements,
            "process_name": model.name}


def timeline(case_id: UUID) -> list[dict[str, Any]]:
    return [event_dict(e) for e in services().orchestrator.case_events(case_id)]


@bp.get("/kasus")
@login_required
def search() -> Any:
    """Find cases by registration number or text (within the processes I may see)."""
    actor = page_actor()
    registration = request.args.get("registrasi", "").strip()[:40] or None
    query = request.args.get("q", "").strip()[:100] or None
    rows: list[dict[str, Any]] = []
    total = 0
    if registration or query or request.args.get("semua"):
        head = services().orchestrator.recorder.max_notification_id()
        services().projections.wait(head, timeout=2.0)
        page = services().inbox.cases(processes=visible_processes(actor),
                                      registration=registration, q=query, limit=50)
        log_listed(page.items, actor, "list (halaman cari kasus)")
        rows, total = [case_row(r) for r in page.items], page.total
    return render_template("kasus_cari.html", rows=rows, total=total,
                           registrasi=registration or "", q=query or "",
                           auditor=may_audit(actor))


@bp.get("/kasus/<uuid:case_id>")
@login_required
def show(case_id: UUID) -> Any:
    """The case now: diagram with done/current steps, open steps, data and timeline."""
    actor = page_actor()
    case = readable_case(case_id, actor)
    shown = shown_case(case, actor, "halaman kasus (data dan riwayat)")
    events = timeline(case_id)
    mine = [t for t in shown["open_tasks"] if t["lane"] in actor.roles]
    return render_template(
        "kasus.html", case=shown, events=events, my_tasks=mine,
        attachments=_attachments(shown["data"], events),
        auditor=may_audit(actor),
        **diagram_context(case.process_key, case.process_version))


def _attachments(data: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(cited_items([data, *(e["data"] for e in events)]).values())


@bp.get("/kasus/<uuid:case_id>/lampiran/<sha256>")
@login_required
def attachment(case_id: UUID, sha256: str) -> Any:
    """An attachment the case cites, as a download (404 for anything else)."""
    actor = page_actor()
    return attachment_response(readable_case(case_id, actor), sha256, actor, "lampiran")
