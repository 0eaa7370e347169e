"""The task page: the SOP step (row, activity, requirements, output, due time) and its form;
completing it stores attachments content-addressed and sends their references as data."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from api.attachments import AttachmentStore, Limits
from api.auth import services
from api.pages.common import body_limit, login_required, page_actor, page_blueprint
from api.pages.staff import inbox_task, settle
from api.pages.taskform import ATTACHMENTS, accepts_attachments, form_fields, messages, parse
from api.presenters import task_row
from orchestrator.commands import CompleteTask
from orchestrator.errors import InvalidInput, InvalidTaskData

bp = page_blueprint("pages_task")
LIMITS = Limits(max_files=5, max_file_bytes=10 * 1024 * 1024)
MAX_BODY = LIMITS.max_files * LIMITS.max_file_bytes + 1024 * 1024


def _render(task: dict[str, Any], values: dict[str, Any] | None = None,
            errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    app = services().orchestrator
    case = app.get_case(UUID(task["case_id"]))
    model, _ = app.model(case.process_key, case.process_version)
    return render_template(
        "tugas.html", task=task_row(task), fields=form_fields(task["form"]),
        labels={"lampiran": "Lampiran"} | {f.name: f.label for f in form_fields(task["form"])},
        attachments=accepts_attachments(task["form"]), limits=LIMITS,
        values=values or {}, errors=errors or {}, case_version=case.version,
        process_name=model.name, process_version=case.process_version,
        mine=task["claimed_by"] == page_actor().username), status


@bp.get("/tugas/<uuid:task_id>")
@login_required
def show(task_id: UUID) -> Any:
    """One step of a case, for holders of its lane's role."""
    task = inbox_task(task_id)
    if task["state"] != "ready":
        flash("Langkah ini sudah tidak menunggu.", "info")
        return redirect(url_for("pages_cases.show", case_id=task["case_id"]))
    return _render(task)


@bp.post("/tugas/<uuid:task_id>/selesai")
@login_required
@body_limit(MAX_BODY)
def complete(task_id: UUID) -> Any:
    """Complete the step with the form's data (and attachment references)."""
    task = inbox_task(task_id)
    fields = form_fields(task["form"])
    data, errors = parse(fields, request.form)
    uploads = [(f.stream, f.filename or "") for f in request.files.getlist(ATTACHMENTS)]
    if any(name for _, name in uploads) and not accepts_attachments(task["form"]):
        errors[ATTACHMENTS] = ["Formulir langkah ini tidak menerima lampiran."]
    if errors:
        return _render(task, request.form, errors, 422)
    try:
        stored = AttachmentStore(services().config.data_dir / "lampiran").save_all(
            uploads, LIMITS)
    except InvalidInput as exc:
        return _render(task, request.form, messages(exc.details.get("errors") or {}), 422)
    if stored:
        data[ATTACHMENTS] = stored
    version = request.form.get("case_version", type=int)
    try:
        result = services().orchestrator.complete_task(CompleteTask(
            UUID(task["case_id"]), task_id, page_actor(), data, version))
    except InvalidTaskData as exc:
        return _render(task, request.form, messages(exc.details.get("errors") or {}), 422)
    settle(result.position)
    flash(f"Langkah “{task['name']}” selesai.", "sukses")
    return redirect(url_for("pages_cases.show", case_id=task["case_id"]))
