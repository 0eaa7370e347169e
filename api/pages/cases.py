"""Case pages: find a case, see it on its diagram (done and current steps) with its history
(every step's own data, labelled as its form labels it; dispositions; comments) and timeline,
comment on it, and download the attachments it references."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for

from api.attachments import cited_items
from api.auth import services
from api.cases import attachment_response, file_response, readable_case, shown_case
from api.documents import find_document
from api.pages.common import error_page, login_required, page_actor, page_blueprint
from api.pages.staff import wrote
from api.presenters import event_dict
from api.reports import case_row, log_listed, visible_processes
from orchestrator.case import Case
from orchestrator.commands import AddComment, ExtendDeadline
from orchestrator.dispositions import user_fields
from orchestrator.errors import Conflict, InvalidInput, NotAllowed
from orchestrator.policy import desk_for_requester, may_audit, may_comment, may_extend_deadline

COMMENT_MAX = 2000
REASON_MAX = 1000

bp = page_blueprint("pages_cases")


def diagram_context(case_key: str, version: int) -> dict[str, Any]:
    """The BPMN of the version a case runs on, and its element names."""
    app = services().orchestrator
    model, _ = app.model(case_key, version)
    return {"bpmn": app.definition(case_key).bpmn[version], "elements": model.elements,
            "process_name": model.name}


def timeline(case_id: UUID) -> list[dict[str, Any]]:
    return [event_dict(e) for e in services().orchestrator.case_events(case_id, resolved=True)]


def labelled(form: dict[str, Any], data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of a step's data as its form names them: field titles, answers by their
    ``x-enumLabels``, users by name; attachments are listed apart."""
    props = form.get("properties") or {}
    people = user_fields(form)
    shown = []
    for key, value in data.items():
        if key == "lampiran" or isinstance(value, dict | list):
            continue
        spec = props.get(key) or {}
        label = str(spec.get("title") or key.replace("_", " ").capitalize())
        if isinstance(value, bool):
            text = "Ya" if value else "Tidak"
        elif key in people:
            text = person(str(value))
        else:
            text = str((spec.get("x-enumLabels") or {}).get(value, value))
        shown.append((label, text))
    return shown


def person(username: str | None) -> str:
    """``Nama Lengkap (username)`` for a user the directory knows."""
    if not username:
        return "—"
    user = services().orchestrator.find_user(username)
    return f"{user.full_name} ({username})" if user and user.full_name else username


def history(case: Case, start: dict[str, Any]) -> dict[str, Any]:
    """What the case pages show of its past: the start, each step's own record (labelled by
    its form, with its attachments, dispositions and comments), the comments."""
    model, _ = services().orchestrator.model(case.process_key, case.process_version)
    about: dict[str | None, list[dict[str, Any]]] = {}
    for comment in case.comments:
        about.setdefault(comment["task_id"], []).append(comment)
    steps = [{**step, "fields": labelled(
        (model.tasks.get(step["element_id"]) or {}).get("form") or {}, step["data"]),
        "files": list(cited_items([step["data"]]).values()),
        "comments": about.get(step["task_id"], [])} for step in case.steps]
    return {"start": {**start, "fields": labelled({}, start.get("data") or {}),
                      "files": list(cited_items([start.get("data") or {}]).values())},
            "steps": steps, "comments": case.comments, "about": about}


def started(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The CaseStarted event of a timeline (who, when, the start data)."""
    first = events[0] if events and events[0]["type"] == "CaseStarted" else {}
    return {"actor": first.get("actor"), "at": first.get("at"), "data": first.get("data") or {}}


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
    model, _ = services().orchestrator.model(case.process_key, case.process_version)
    acting = desk_for_requester(actor, model)  # the desk also takes a requester's step
    mine = [t for t in shown["open_tasks"] if t["lane"] in acting.roles]
    return render_template(
        "kasus.html", case=shown, events=events, my_tasks=mine,
        attachments=_attachments(shown["data"], events),
        auditor=may_audit(actor), history=history(case, started(events)), person=person,
        may_comment=may_comment(actor, model) and case.status == "active",
        may_extend=may_extend_deadline(actor, model) and case.status == "active"
        and case.deadline is not None and not case.deadline["extensions"]
        and services().orchestrator.standards.get(case.process_key) is not None
        and services().orchestrator.standards[case.process_key].extension_for(
            case.deadline["rule"]) is not None,
        comment_max=COMMENT_MAX, case_documents=case.generated(),
        **diagram_context(case.process_key, case.process_version))


@bp.post("/kasus/<uuid:case_id>/komentar")
@login_required
def comment(case_id: UUID) -> Any:
    """Add a comment to the case (or to one of its steps), then back to where it was written."""
    actor = page_actor()
    readable_case(case_id, actor)
    text = (request.form.get("teks") or "").strip()
    task_id = request.form.get("langkah") or None
    if not text or len(text) > COMMENT_MAX:
        return error_page(422, "Komentar tidak sah.",
                          f"Tulis komentar (paling banyak {COMMENT_MAX} karakter).")
    try:
        services().orchestrator.add_comment(
            AddComment(case_id, actor, text, UUID(task_id) if task_id else None))
    except (InvalidInput, ValueError):
        return error_page(422, "Komentar tidak sah.", "Langkah yang dirujuk tidak dikenal.")
    wrote()
    flash("Komentar ditambahkan.", "sukses")
    if task_id and request.form.get("kembali") == "tugas":
        return redirect(url_for("pages_task.show", case_id=case_id, task_id=task_id))
    return redirect(url_for("pages_cases.show", case_id=case_id))


@bp.post("/kasus/<uuid:case_id>/perpanjang")
@login_required
def extend(case_id: UUID) -> Any:
    """Extend the case's service time once, as its standard allows, with the written reason
    the requester is told (Keputusan 33/2025; the portal's status shows it)."""
    actor = page_actor()
    readable_case(case_id, actor)
    reason = (request.form.get("alasan") or "").strip()
    if not reason or len(reason) > REASON_MAX:
        return error_page(422, "Alasan perpanjangan wajib diisi.",
                          f"Tulis alasannya (paling banyak {REASON_MAX} karakter).")
    try:
        services().orchestrator.extend_deadline(ExtendDeadline(case_id, actor, reason))
    except (NotAllowed, Conflict) as exc:
        return error_page(409 if isinstance(exc, Conflict) else 403,
                          "Waktu layanan tidak dapat diperpanjang.", exc.message)
    wrote()
    flash("Waktu layanan diperpanjang; pemohon melihat alasannya pada status.", "sukses")
    return redirect(url_for("pages_cases.show", case_id=case_id))


def _attachments(data: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(cited_items([data, *(e["data"] for e in events)]).values())


@bp.get("/kasus/<uuid:case_id>/lampiran/<sha256>")
@login_required
def attachment(case_id: UUID, sha256: str) -> Any:
    """An attachment the case cites, as a download (404 for anything else)."""
    actor = page_actor()
    return attachment_response(readable_case(case_id, actor), sha256, actor, "lampiran")


@bp.get("/kasus/<uuid:case_id>/dokumen/<sha256>")
@login_required
def document(case_id: UUID, sha256: str) -> Any:
    """A letter the case generated, or a signed version of it, as a download."""
    actor = page_actor()
    case = readable_case(case_id, actor)
    found = find_document(case, sha256)
    if found is None:
        abort(404)
    return file_response(case, sha256, found[0], actor, found[1])
