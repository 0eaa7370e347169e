"""The task page: the SOP step (row, activity, requirements, output, due time) and its form;
completing it stages the attachments and stores them content-addressed only if the
completion is saved (their references go into the data)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from api.auth import services
from api.pages.common import body_limit, login_required, page_actor, page_blueprint
from api.pages.staff import case_of, my_task, wrote
from api.pages.taskform import ATTACHMENTS, accepts_attachments, form_fields, messages, parse
from api.reports import log_listed
from api.uploads import LIMITS, MAX_BODY, complete_with_files
from orchestrator.errors import InvalidInput, InvalidTaskData

bp = page_blueprint("pages_task")


def _render(task: dict[str, Any], values: dict[str, Any] | None = None,
            errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    app = services().orchestrator
    case = app.get_case(UUID(task["case_id"]))
    model, _ = app.model(case.process_key, case.process_version)
    return render_template(
        "tugas.html", task=task, fields=form_fields(task["form"]),
        labels={"lampiran": "Lampiran"} | {f.name: f.label for f in form_fields(task["form"])},
        attachments=accepts_attachments(task["form"]), limits=LIMITS,
        values=values or {}, errors=errors or {}, case_version=case.version,
        process_name=model.name, process_version=case.process_version,
        mine=task["claimed_by"] == page_actor().username), status


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
        complete_with_files(case_id, task_id, page_actor(), data, uploads, version)
    except (InvalidInput, InvalidTaskData) as exc:
        return _render(task, request.form, messages(exc.details.get("errors") or {}), 422)
    wrote()
    flash(f"Langkah “{task['name']}” selesai.", "sukses")
    return redirect(url_for("pages_cases.show", case_id=case_id))
