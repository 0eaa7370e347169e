"""Inspectors' replay page: step through a case's events with the diagram showing the path up
to the chosen event, the hash chain's status, and the exports (JSON, PDF)."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from flask import Response, current_app, json, render_template, request

from api.auth import services
from api.cases import readable_case, shown_case
from api.export import export_document, render_pdf
from api.pages.cases import diagram_context, timeline
from api.pages.common import page_actor, page_blueprint, permitted
from api.presenters import verification_dict
from orchestrator.anchoring import BadCheckpoint
from orchestrator.audit import Auditor
from orchestrator.checkpoints import AnchorCheck
from orchestrator.policy import may_audit

bp = page_blueprint("pages_audit")
_CHECK_LOCK = threading.Lock()  # one recomputation at a time; other views wait for its result


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
        checkpoint=checkpoint_status(),
        **diagram_context(result.case.process_key, result.case.process_version))


def checkpoint_status() -> dict[str, Any] | None:
    """The last signed checkpoint and whether the store still extends it; recomputed only
    when the checkpoint or the log's head changed since the last page view."""
    anchor = services().anchor()
    try:
        checkpoint = anchor.latest()
    except BadCheckpoint as exc:
        return {"refused": exc.message}
    if checkpoint is None:
        return None
    key = (checkpoint.to_json(), anchor.recorder.max_notification_id() or 0)
    cache = current_app.extensions.setdefault("alur.checkpoint_status", {})
    with _CHECK_LOCK:
        if key not in cache:
            cache.clear()
            try:
                cache[key] = _status(anchor.check(checkpoint))
            except BadCheckpoint as exc:
                cache[key] = {"refused": exc.message}
        return cache[key]


def _status(check: AnchorCheck) -> dict[str, Any]:
    head = check.checkpoint.head
    first = check.differences[0] if check.differences else None
    leaf = (first.then or first.now) if first else None
    return {"time": head.time, "size": head.size, "root": head.root[:16], "ok": check.ok,
            "records": check.records, "different": check.different,
            "index_trusted": check.index_trusted,
            "first": None if first is None or leaf is None else {
                "kind": first.kind, "notification": leaf.notification_id,
                "stream": leaf.originator_id, "version": leaf.originator_version}}


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
