"""The task page: the case in front of the worker (its summary, every earlier step's data,
attachments, comments), the SOP step (row, activity, requirements, output, due time, its
disposition) and its form; completing it stages the attachments and stores them
content-addressed only if the completion is saved (their references go into the data).
A holder of the lane (or of the step) disposes it to a named holder from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for

from api.auth import services
from api.documents import generate, template_choices
from api.pages.cases import COMMENT_MAX, history, person, started, timeline
from api.pages.common import body_limit, login_required, page_actor, page_blueprint
from api.pages.staff import case_of, my_task, wrote
from api.pages.taskform import (
    ATTACHMENTS,
    accepts_attachments,
    form_fields,
    messages,
    parse,
    prefill,
)
from api.reports import log_listed
from api.uploads import LIMITS, MAX_BODY, complete_with_files, signed_of
from orchestrator.commands import AssignTask
from orchestrator.errors import InvalidInput, InvalidTaskData
from orchestrator.policy import may_assign, may_comment

WITA = ZoneInfo("Asia/Makassar")
INSTRUCTION_MAX = 2000

bp = page_blueprint("pages_task")


def _render(task: dict[str, Any], values: dict[str, Any] | None = None,
            errors: dict[str, list[str]] | None = None, status: int = 200,
            assign_errors: dict[str, list[str]] | None = None) -> Any:
    app, actor = services().orchestrator, page_actor()
    case = app.get_case(UUID(task["case_id"]))
    model, _ = app.model(case.process_key, case.process_version)
    fields = form_fields(task["form"])
    may_dispose = may_assign(actor, task["lane"], task["claimed_by"])
    holders = [u for u in app.holders(case, task["lane"]) if u.username != task["claimed_by"]]
    return render_template(
        "tugas.html", task=task, fields=fields,
        labels={"lampiran": "Lampiran"} | {f.name: f.label for f in fields},
        attachments=accepts_attachments(task["form"]), limits=LIMITS,
        values=prefill(fields, case.data) if values is None else values, errors=errors or {},
        case_version=case.version, process_name=model.name, process_version=case.process_version,
        mine=task["claimed_by"] == actor.username, case=case,
        history=history(case, started(timeline(case.id))), person=person,
        required=[f.label for f in fields if f.required],
        may_dispose=may_dispose and bool(holders), holders=holders if may_dispose else [],
        assign_values=request.form if assign_errors else {}, assign_errors=assign_errors or {},
        may_comment=may_comment(actor, model), comment_max=COMMENT_MAX,
        instruction_max=INSTRUCTION_MAX, case_documents=case.generated(),
        templates=[t for t in template_choices(case, actor)
                   if t["task_id"] == task["task_id"]]), status


@bp.get("/kasus/<uuid:case_id>/tugas/<uuid:task_id>")
@login_required
def show(case_id: UUID, task_id: UUID) -> Any:
    """One step of a case, for holders of its lane's role (read from the case itself)."""
    task = my_task(case_id, task_id)
    if task["state"] != "ready":
        flash("Langkah ini sudah tidak menunggu.", "info")
        return redirect(url_for("pages_cases.show", case_id=case_id))
    log_listed([task], page_actor(), "halaman tugas")
    return _render(task)


@bp.get("/tugas/<uuid:task_id>")
@login_required
def show_old(task_id: UUID) -> Any:
    """The old task URL: the case is looked up in the worklist, then redirected."""
    return redirect(url_for("pages_task.show", case_id=case_of(task_id), task_id=task_id),
                    code=308)


@bp.post("/kasus/<uuid:case_id>/tugas/<uuid:task_id>/disposisi")
@login_required
def dispose(case_id: UUID, task_id: UUID) -> Any:
    """Dispose the step to a named holder of its lane, with an instruction and a due time."""
    task = my_task(case_id, task_id)
    assignee = (request.form.get("kepada") or "").strip()
    instruction = (request.form.get("instruksi") or "").strip()
    errors: dict[str, list[str]] = {}
    if not assignee:
        errors["kepada"] = ["Pilih pejabat atau petugas penerima."]
    if not instruction or len(instruction) > INSTRUCTION_MAX:
        errors["instruksi"] = [f"Tulis isi disposisi (paling banyak {INSTRUCTION_MAX} karakter)."]
    due, bad_due = _due(request.form.get("batas") or "")
    if bad_due:
        errors["batas"] = ["Tanggal dan jam tidak dikenal."]
    if not errors:
        try:
            services().orchestrator.assign_task(AssignTask(
                case_id, task_id, page_actor(), assignee, instruction, due,
                request.form.get("case_version", type=int)))
        except InvalidInput as exc:
            errors = {_ASSIGN_FIELDS.get(k, k): ["Penerima tidak memegang peran langkah ini."
                                                 if k == "assignee" else
                                                 "Batas waktu harus di masa depan."]
                      for k in exc.details.get("errors") or {"kepada": []}}
    if errors:
        return _render(task, status=422, assign_errors=errors)
    wrote()
    flash(f"Langkah “{task['name']}” didisposisikan kepada {person(assignee)}.", "sukses")
    return redirect(url_for("pages_cases.show", case_id=case_id))


_ASSIGN_FIELDS = {"assignee": "kepada", "instruction": "instruksi", "due_at": "batas"}


def _due(raw: str) -> tuple[datetime | None, bool]:
    """(the due moment, whether the text was unreadable) from a datetime-local input (WITA)."""
    if not raw.strip():
        return None, False
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None, True
    return (moment if moment.tzinfo else moment.replace(tzinfo=WITA)), False


@bp.post("/kasus/<uuid:case_id>/tugas/<uuid:task_id>/selesai")
@login_required
@body_limit(MAX_BODY)
def complete(case_id: UUID, task_id: UUID) -> Any:
    """Complete the step with the form's data (and attachment references)."""
    task = my_task(case_id, task_id)
    fields = form_fields(task["form"])
    data, errors = parse(fields, request.form)
    uploads = [(f.stream, f.filename or "") for f in request.files.getlist(ATTACHMENTS)]
    if any(name for _, name in uploads) and not accepts_attachments(task["form"]):
        errors[ATTACHMENTS] = ["Formulir langkah ini tidak menerima lampiran."]
    if errors:
        return _render(task, request.form, errors, 422)
    version = request.form.get("case_version", type=int)
    try:
        complete_with_files(case_id, task_id, page_actor(), data, uploads, version,
                            signed_of())
    except (InvalidInput, InvalidTaskData) as exc:
        return _render(task, request.form, messages(exc.details.get("errors") or {}), 422)
    wrote()
    flash(f"Langkah “{task['name']}” selesai.", "sukses")
    return redirect(url_for("pages_cases.show", case_id=case_id))


@bp.post("/kasus/<uuid:case_id>/tugas/<uuid:task_id>/dokumen")
@login_required
def document(case_id: UUID, task_id: UUID) -> Any:
    """Generate a letter of this step ("Buat dokumen"), then back to the step."""
    my_task(case_id, task_id)
    made = generate(case_id, task_id, request.form.get("templat") or "",
                    request.form.get("format") or "docx", page_actor())
    wrote()
    doc = made.document
    flash(f"{doc['title']} nomor {doc['number']} dibuat (versi {doc['version']}).", "sukses")
    return redirect(url_for("pages_task.show", case_id=case_id, task_id=task_id))
