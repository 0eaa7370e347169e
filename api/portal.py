"""The public API (no login): submit a report and check its status with the secret code.

Abuse limits: a body size limit, a per-address token bucket (429), and a honeypot field.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields

from api.intake import KINDS, MAX_BODY, limit, objection, requester_step, status_of, submit
from api.portal_schemas import KeberatanSchema, StatusQuerySchema
from orchestrator.errors import InvalidInput, NotFound

blp = Blueprint("portal", __name__, url_prefix="/api/v1/public",
                description="Public portal: reports and status (no login)")
NOT_MATCHING = "Nomor registrasi atau kode pelacakan tidak cocok."


class ReceiptSchema(Schema):
    registration = fields.String(metadata={"description": "the case's registration number"})
    tracking_code = fields.String(metadata={
        "description": "secret; shown only in this answer (only its hash is stored)"})
    kind = fields.String()


class PublicStatusSchema(Schema):
    registration = fields.String()
    kind = fields.String()
    process_name = fields.String()
    status = fields.String(metadata={"description": "active | completed | cancelled"})
    status_label = fields.String()
    current_steps = fields.List(fields.String())
    started_at = fields.String()
    updated_at = fields.String()
    deadline_at = fields.String(allow_none=True)
    open_steps = fields.List(fields.Dict(), metadata={
        "description": "open steps: decree row, flowchart, full activity, role (no names)"})
    done_steps = fields.List(fields.Dict(), metadata={
        "description": "completed steps: row, flowchart, activity, role, completed_at"})
    outcome = fields.List(fields.Dict(), metadata={
        "description": "the decision and the answer or reason: {field, label, value, row}"})
    ended_as = fields.String(allow_none=True, metadata={"description": "the end reached"})
    extension = fields.Dict(allow_none=True, metadata={
        "description": "the service time's extension: working_days, reason, at"})
    linked = fields.List(fields.Dict(), metadata={
        "description": "cases linked to this one: {relation: keberatan|permohonan, "
                       "registration} (the same code opens them)"})
    may_object = fields.Boolean(metadata={
        "description": "whether the requester may still object (POST /keberatan)"})
    objection_reasons = fields.Dict(metadata={
        "description": "when may_object: the reasons an objection may give (alasan)"})
    requester_steps = fields.List(fields.Dict(), metadata={
        "description": "open steps the requester completes with the tracking code "
                       "(POST /steps/{task_id}): task_id, row, activity, form"})


@blp.before_request
def _limits() -> None:
    request.max_content_length = MAX_BODY


def _payload() -> tuple[dict[str, Any], list[Any]]:
    """JSON, or multipart/form-data with files under ``lampiran``."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InvalidInput("body must be a JSON object")
        return body, []
    files = [(f.stream, f.filename or "") for f in request.files.getlist("lampiran")]
    return {k: v for k, v in request.form.items()}, files


def _load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidInput("isian tidak sesuai", errors=exc.messages) from None


@blp.route("/reports/<kind>", methods=["POST"])
@blp.doc(requestBody={"content": {"application/json": {"schema": {"type": "object"}},
                                  "multipart/form-data": {"schema": {"type": "object"}}}})
@blp.response(201, ReceiptSchema)
@blp.alt_response(429, description="too many submissions from this address")
def report(kind: str) -> dict[str, Any]:
    """Submit a report: ``pengaduan`` (SOP 9.3), ``wbs`` (9.5, anonymous allowed),
    ``gratifikasi`` (9.4) or ``informasi`` (PPID, 9.22; ``jenis_informasi`` pemilu|lainnya)."""
    if kind not in KINDS:
        raise NotFound(f"no kind of report '{kind}' (one of {', '.join(KINDS)})")
    limit("submit")
    data, files = _payload()
    loaded = _load(KINDS[kind].schema(), data)
    receipt = submit(KINDS[kind], loaded, files)
    return {"registration": receipt.registration, "tracking_code": receipt.code,
            "kind": receipt.kind}


@blp.route("/status", methods=["POST"])
@blp.arguments(StatusQuerySchema)
@blp.response(200, PublicStatusSchema)
@blp.alt_response(404, description="unknown registration or wrong code (the same answer)")
def status(body: dict[str, Any]) -> dict[str, Any]:
    """A report's status, for whoever holds its registration number and tracking code."""
    limit("status")
    found = status_of(body["registrasi"], body["kode"])
    if found is None:
        raise NotFound(NOT_MATCHING)
    return found


CREDENTIALS = ("registrasi", "kode")


@blp.route("/steps/<task_id>", methods=["POST"])
@blp.doc(requestBody={"content": {
    "application/json": {"schema": {"type": "object", "required": ["registrasi", "kode", "data"],
                                    "properties": {"registrasi": {"type": "string"},
                                                   "kode": {"type": "string"},
                                                   "data": {"type": "object"}}}},
    "multipart/form-data": {"schema": {"type": "object"}}}})
@blp.response(200, PublicStatusSchema)
@blp.alt_response(404, description="unknown registration, wrong code, or no such requester "
                                   "step open in that case")
@blp.alt_response(422, description="the data does not satisfy the step's form")
@blp.alt_response(429, description="too many attempts from this address")
def requester_step_taken(task_id: str) -> dict[str, Any]:
    """The requester completes their own open step (SOP 9.22-b row 2: perbaikan) with the
    registration number and tracking code; the answer is the status after it. Only a step
    of the requester's lane in the case the code opens (``requester_steps`` of the status)."""
    limit("step")
    body, files = _payload()
    query = _load(StatusQuerySchema(), {k: body[k] for k in CREDENTIALS if k in body})
    data = body.get("data", {}) if request.is_json else {
        k: v for k, v in body.items() if k not in CREDENTIALS}
    if not isinstance(data, dict):
        raise InvalidInput("data must be a JSON object", errors={"data": ["harus objek"]})
    found = requester_step(query["registrasi"], query["kode"], task_id, data, files)
    if found is None:
        raise NotFound(NOT_MATCHING)
    return found


class ObjectionReceiptSchema(Schema):
    registration = fields.String(metadata={"description": "the objection's own number"})
    kind = fields.String()
    of = fields.String(metadata={"description": "the request objected to"})


@blp.route("/keberatan", methods=["POST"])
@blp.arguments(KeberatanSchema)
@blp.response(201, ObjectionReceiptSchema)
@blp.alt_response(404, description="unknown registration or wrong code (the same answer)")
@blp.alt_response(409, description="this request already has an objection")
@blp.alt_response(429, description="too many submissions from this address")
def object_to(body: dict[str, Any]) -> dict[str, Any]:
    """The requester's objection to their own PPID request (SOP 9.22-d): a case of its own,
    linked to the request both ways; the request's tracking code opens it too. ``alasan``:
    one of the objection form's reasons (9.22-d row 1), ``uraian``: the requester's words."""
    limit("submit")
    receipt = objection(body["registrasi"], body["kode"], body["alasan"], body["uraian"])
    if receipt is None:
        raise NotFound(NOT_MATCHING)
    return {"registration": receipt.registration, "kind": receipt.kind,
            "of": body["registrasi"].strip().upper()}
