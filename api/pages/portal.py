"""The public portal's pages (no login): submit a report with attachments, get the
registration number and a tracking code shown once, and check the status with both."""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template, request
from marshmallow import ValidationError

from api.errors import STATUS
from api.intake import KINDS, MAX_BODY, Kind, limit, objection, status_of, submit
from api.intake import requester_step as take_step
from api.pages.common import body_limit, page_blueprint
from api.portal import NOT_MATCHING
from api.portal_schemas import HONEYPOT, KeberatanSchema, StatusQuerySchema
from orchestrator.errors import AlurError, InvalidInput, NotFound, RateLimited

bp = page_blueprint("pages_portal")


def _fields(kind: Kind) -> list[dict[str, Any]]:
    """The schema's fields as the page draws them (labels, options, limits)."""
    drawn = []
    for name, field in kind.schema().fields.items():
        if name == HONEYPOT:
            continue
        lengths = [v for v in field.validators if hasattr(v, "max")]
        drawn.append({
            "name": name, "label": field.metadata.get("label", name),
            "required": field.required, "options": field.metadata.get("options"),
            "checkbox": type(field).__name__ == "Boolean",
            "max": getattr(lengths[0], "max", None) if lengths else None,
            "long": name in ("uraian", "tujuan"),
        })
    return drawn


def _form(kind: Kind, values: dict[str, Any] | None = None,
          errors: dict[str, Any] | None = None, status: int = 200) -> Any:
    fields = _fields(kind)
    labels = {f["name"]: f["label"] for f in fields} | {"lampiran": "Lampiran"}
    return render_template("portal/formulir.html", kind=kind, fields=fields, labels=labels,
                           values=values or {}, errors=errors or {}, honeypot=HONEYPOT), status


@bp.get("/layanan")
def index() -> Any:
    return render_template("portal/index.html", kinds=KINDS.values())


@bp.get("/layanan/<kind>")
def form(kind: str) -> Any:
    if kind not in KINDS:
        raise NotFound("unknown kind")
    return _form(KINDS[kind])


@bp.post("/layanan/<kind>")
@body_limit(MAX_BODY)
def send(kind: str) -> Any:
    """Submit; on success the receipt page shows the tracking code this once."""
    if kind not in KINDS:
        raise NotFound("unknown kind")
    spec = KINDS[kind]
    try:
        limit("submit")
    except RateLimited as exc:
        return _form(spec, request.form, {"_": [exc.message]}, 429)
    fields = set(spec.schema().fields)
    # an empty input is a missing value: required fields then say "Wajib diisi."
    raw = {k: v for k, v in request.form.items() if k in fields and (v.strip() or k == HONEYPOT)}
    try:
        data = spec.schema().load(raw)
        files = [(f.stream, f.filename or "") for f in request.files.getlist("lampiran")]
        receipt = submit(spec, data, files)
    except ValidationError as exc:
        return _form(spec, request.form, exc.normalized_messages(), 422)
    except InvalidInput as exc:
        return _form(spec, request.form, exc.details.get("errors") or {"_": [exc.message]}, 422)
    response = make_response(render_template("portal/diterima.html", kind=spec,
                                             receipt=receipt))
    response.headers["Cache-Control"] = "no-store"
    return response, 201


@bp.route("/layanan/status", methods=["GET", "POST"])
def status() -> Any:
    """Status of a report, for whoever holds both its number and its code."""
    if request.method == "GET":
        return render_template("portal/status.html", values={}, found=None, errors={},
                               notice=None)
    values = {k: request.form.get(k, "") for k in ("registrasi", "kode")}
    try:
        limit("status")
        query = StatusQuerySchema().load({k: v for k, v in values.items() if v.strip()})
    except RateLimited as exc:
        return render_template("portal/status.html", values=values, found=None,
                               errors={"_": [exc.message]}, notice=None), 429
    except ValidationError as exc:
        return render_template("portal/status.html", values=values, found=None,
                               errors=exc.messages, notice=None), 422
    found = status_of(query["registrasi"], query["kode"])
    errors = {} if found else {"_": [NOT_MATCHING]}
    return _status_page(values, found, errors, None, 200 if found else 404)


def _status_page(values: dict[str, str], found: dict[str, Any] | None,
                 errors: dict[str, Any], notice: str | None, code: int) -> Any:
    response = make_response(render_template("portal/status.html", values=values, found=found,
                                             errors=errors, notice=notice), code)
    response.headers["Cache-Control"] = "no-store"  # the page carries the code in its form
    return response


@bp.post("/layanan/status/langkah/<task_id>")
@body_limit(MAX_BODY)
def requester_step(task_id: str) -> Any:
    """The requester's own step (SOP 9.22-b row 2: perbaikan), with number and code."""
    values = {k: request.form.get(k, "") for k in ("registrasi", "kode")}
    try:
        limit("step")
        query = StatusQuerySchema().load({k: v for k, v in values.items() if v.strip()})
    except RateLimited as exc:
        return _status_page(values, None, {"_": [exc.message]}, None, 429)
    except ValidationError as exc:
        return _status_page(values, None, exc.normalized_messages(), None, 422)
    data = {k: v for k, v in request.form.items()
            if k not in ("registrasi", "kode", "csrf_token") and v.strip()}
    files = [(f.stream, f.filename or "") for f in request.files.getlist("lampiran")
             if f.filename]
    try:
        found = take_step(query["registrasi"], query["kode"], task_id, data, files)
    except AlurError as exc:
        found = status_of(query["registrasi"], query["kode"])
        errors = exc.details.get("errors") or {"_": [exc.message]}
        code = next((c for cls, c in STATUS if isinstance(exc, cls)), 400)
        return _status_page(values, found, errors, None, code if found else 404)
    if found is None:
        return _status_page(values, None, {"_": [NOT_MATCHING]}, None, 404)
    return _status_page(values, found, {}, "Terima kasih: langkah Anda telah dicatat.", 200)


@bp.post("/layanan/status/keberatan")
def object_to() -> Any:
    """The requester's objection to their own request (SOP 9.22-d), with number and code."""
    values = {k: request.form.get(k, "") for k in ("registrasi", "kode")}
    raw = {k: v for k, v in request.form.items()
           if k in ("registrasi", "kode", "alasan", "uraian") and v.strip()}
    try:
        limit("submit")
        body = KeberatanSchema().load(raw)
    except RateLimited as exc:
        return _status_page(values, None, {"_": [exc.message]}, None, 429)
    except ValidationError as exc:
        found = status_of(values["registrasi"], values["kode"]) if values["kode"] else None
        return _status_page(values, found, exc.normalized_messages(), None, 422)
    try:
        receipt = objection(body["registrasi"], body["kode"], body["alasan"], body["uraian"])
    except AlurError as exc:
        found = status_of(body["registrasi"], body["kode"])
        code = next((c for cls, c in STATUS if isinstance(exc, cls)), 400)
        errors = exc.details.get("errors") or {"_": [exc.message]}
        return _status_page(values, found, errors, None, code if found else 404)
    if receipt is None:
        return _status_page(values, None, {"_": [NOT_MATCHING]}, None, 404)
    found = status_of(body["registrasi"], body["kode"])
    return _status_page(values, found, {}, "Keberatan Anda telah dicatat dengan nomor "
                        f"{receipt.registration}; lacak dengan kode pelacakan yang sama.", 201)
