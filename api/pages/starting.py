"""The "Mulai" pages: the processes the user's roles may start, and a start form per process;
submitting starts the case (with its scans) and lands on the starter's first step, or on the
case when the next step is someone else's."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from api.auth import services
from api.pages.common import body_limit, login_required, page_actor, page_blueprint
from api.pages.staff import wrote
from api.pages.taskform import ATTACHMENTS, accepts_attachments, form_fields, messages, parse
from api.starting import start_with_files
from api.uploads import LIMITS, MAX_BODY
from orchestrator.commands import Actor
from orchestrator.engine import ProcessModel
from orchestrator.errors import InvalidInput, InvalidTaskData
from orchestrator.policy import may_start_from_pages, starting_roles
from orchestrator.registration import process_code

bp = page_blueprint("pages_start")
NO_FORM: dict[str, Any] = {"type": "object", "properties": {}}


def _sop_order(key: str) -> tuple[int, ...]:
    """9.2 before 9.10; the services (no SOP number) last."""
    digits = [int(p) for p in process_code(key).replace("-", ".").split(".") if p.isdigit()]
    return tuple(digits) if digits else (10**6,)


def startable(actor: Actor) -> list[tuple[str, list[dict[str, Any]]]]:
    """(unit, processes) the actor may start from the pages, by unit, each in SOP order."""
    app, roles = services().orchestrator, services().roles
    groups: dict[str, list[dict[str, Any]]] = {}
    for key in sorted(app.process_keys(), key=_sop_order):
        model, _ = app.model(key)
        if not may_start_from_pages(actor, model):
            continue
        held = sorted(actor.roles & starting_roles(model))
        groups.setdefault(roles.unit(held[0]), []).append({
            "key": key, "code": process_code(key), "name": model.name,
            "purpose": model.purpose, "as": [roles.name(r) for r in held]})
    return sorted(groups.items())


def _startable_model(key: str) -> ProcessModel:
    model, _ = services().orchestrator.model(key)
    if not may_start_from_pages(page_actor(), model):
        abort(403)
    return model


def _render(model: ProcessModel, values: Any = None, errors: dict[str, list[str]] | None = None,
            status: int = 200) -> Any:
    form = model.start_form or NO_FORM
    fields = form_fields(form)
    return render_template(
        "mulai_formulir.html", model=model, code=process_code(model.key), fields=fields,
        labels={"lampiran": "Lampiran"} | {f.name: f.label for f in fields},
        attachments=accepts_attachments(form) and model.start_form is not None, limits=LIMITS,
        values=values or {}, errors=errors or {}), status


@bp.get("/mulai")
@login_required
def index() -> Any:
    """The processes my roles may start, grouped by unit."""
    return render_template("mulai.html", groups=startable(page_actor()))


@bp.get("/mulai/<key>")
@login_required
def form(key: str) -> Any:
    """The start form of one process."""
    return _render(_startable_model(key))


@bp.post("/mulai/<key>")
@login_required
@body_limit(MAX_BODY)
def start(key: str) -> Any:
    """Start the case; a refused form is shown again with a message per field."""
    model = _startable_model(key)
    form = model.start_form or NO_FORM
    data, errors = parse(form_fields(form), request.form)
    uploads = [(f.stream, f.filename or "") for f in request.files.getlist(ATTACHMENTS)]
    if errors:
        return _render(model, request.form, errors, 422)
    try:
        result = start_with_files(key, data, page_actor(), uploads)
    except (InvalidInput, InvalidTaskData) as exc:
        return _render(model, request.form, messages(exc.details.get("errors") or {}), 422)
    wrote()
    case = services().orchestrator.get_case(result.case_id)
    flash(f"Kasus {case.registration} dimulai.", "sukses")
    mine = [t for t in case.open_tasks.values() if t.lane in page_actor().roles]
    if mine:
        return redirect(url_for("pages_task.show", case_id=case.id, task_id=mine[0].task_id))
    return redirect(url_for("pages_cases.show", case_id=case.id))
