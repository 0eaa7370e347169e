"""Process owners: validate a BPMN against the engine and the catalogue, deploy it as a new
version, list versions, and see what changed between two versions."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.auth import current_actor, login_required, services
from api.bpmn_compare import conformance, diff, flowchart
from api.presenters import to_wita
from orchestrator.commands import Actor, DeployProcess
from orchestrator.engine import load_model
from orchestrator.errors import InvalidDefinition, InvalidInput, ProcessNotFound
from orchestrator.policy import OPERATOR, ensure, may_deploy
from orchestrator.sensitivity import approve

blp = Blueprint("process_admin", __name__, url_prefix="/api/v1/processes",
                description="Process owners: validate, deploy, versions, diff")
MAX_BODY = 2 * 1024 * 1024 + 64 * 1024  # the engine refuses BPMN over 2 MiB anyway
BPMN_BODY = {"content": {
    "application/xml": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object", "required": ["bpmn"],
                                    "properties": {"bpmn": {"type": "string"}}}}}}


class ValidationResultSchema(Schema):
    key = fields.String()
    valid = fields.Boolean()
    errors = fields.List(fields.String(), metadata={"description": "why it cannot deploy"})
    warnings = fields.List(fields.String(), metadata={
        "description": "where the tasks differ from the catalogue flowchart (row, lane, …)"})
    name = fields.String(allow_none=True)


class DeployResultSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    created = fields.Boolean(metadata={"description": "false when identical to the latest"})
    sha256 = fields.String()
    name = fields.String()
    warnings = fields.List(fields.String())


class VersionSchema(Schema):
    version = fields.Integer()
    sha256 = fields.String()
    name = fields.String()
    deployed_by = fields.String()
    deployed_at = fields.String()


class DiffQuerySchema(Schema):
    from_ = fields.Integer(data_key="from", required=True, validate=validate.Range(min=1))
    to = fields.Integer(required=True, validate=validate.Range(min=1))


class DiffSchema(Schema):
    key = fields.String()
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    added = fields.List(fields.Dict())
    removed = fields.List(fields.Dict())
    changed = fields.List(fields.Dict(), metadata={
        "description": "[{id, type, name, changes: [{field, from, to}]}]"})


class SensitivityApprovalArgsSchema(Schema):
    sha256 = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="64 lowercase hex digits"), metadata={
        "description": "sha256 of exactly the BPMN that may then be deployed"})
    sensitive = fields.Boolean(required=True)
    handling_role = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=100))


class SensitivityApprovalSchema(Schema):
    sha256 = fields.String()
    sensitive = fields.Boolean()
    handling_role = fields.String(allow_none=True)
    previous = fields.Dict(metadata={"description": "{sensitive, handling_role} when approved"})
    approver = fields.String()
    approved_at = fields.String()


def approval_dict(entry: dict[str, Any]) -> dict[str, Any]:
    return {"sha256": entry["sha256"], "sensitive": entry["sensitive"],
            "handling_role": entry["handling_role"],
            "previous": {"sensitive": entry["previous_sensitive"],
                         "handling_role": entry["previous_handling_role"]},
            "approver": entry["approver"], "approved_at": to_wita(entry["approved_at"])}


def approvals_of(key: str) -> list[dict[str, Any]]:
    """Every sensitivity approval of the process, oldest first."""
    definition = services().orchestrator.definition(key)
    return [approval_dict(a) for a in definition.sensitivity_approvals]


def bpmn_from_request() -> bytes:
    """The BPMN XML: the raw body, or ``bpmn`` of a JSON body."""
    request.max_content_length = MAX_BODY
    if request.is_json:
        body = request.get_json(silent=True)
        xml = body.get("bpmn") if isinstance(body, dict) else None
        if not isinstance(xml, str) or not xml.strip():
            raise InvalidInput("JSON body must be {\"bpmn\": \"<xml>\"}",
                               errors={"bpmn": ["wajib diisi (required)"]})
        return xml.encode("utf-8")
    data = request.get_data()
    if not data.strip():
        raise InvalidInput("send the BPMN XML as the body, or JSON {\"bpmn\": …}",
                           errors={"bpmn": ["wajib diisi (required)"]})
    return data


def ensure_known(key: str) -> None:
    services().orchestrator.definition(key)  # 404 for a process that was never deployed


def validate_bpmn(key: str, bpmn: bytes) -> dict[str, Any]:
    """Engine validation (errors) and catalogue conformance (warnings), without deploying."""
    svc = services()
    try:
        model = load_model(key, bpmn, svc.roles)
    except InvalidDefinition as exc:
        errors = [str(e) for e in exc.details.get("errors") or []] or [exc.message]
        return {"key": key, "valid": False, "errors": errors, "warnings": [], "name": None}
    chart = flowchart(svc.config.processes_dir / "catalogue", key)
    return {"key": key, "valid": True, "errors": [], "warnings": conformance(model, chart),
            "name": model.name}


def deploy_bpmn(key: str, bpmn: bytes, actor: Actor) -> dict[str, Any]:
    """Deploy as the next version (InvalidDefinition → 422); running cases keep theirs."""
    app = services().orchestrator
    # the operator's name deploys the repository's files at start-up, never a web request
    ensure(actor.username != OPERATOR, f"'{OPERATOR}' may not deploy over HTTP")
    before = app.definition(key).latest
    version = app.deploy(DeployProcess(key, bpmn, actor))
    info = app.definition(key).version_info(version)
    warnings = validate_bpmn(key, bpmn)["warnings"]
    return {"key": key, "version": version, "created": version != before,
            "sha256": info.sha256, "name": info.name, "warnings": warnings}


def versions_of(key: str) -> list[dict[str, Any]]:
    return list(services().orchestrator.definition(key).versions)


def diff_versions(key: str, old: int, new: int) -> dict[str, Any]:
    definition = services().orchestrator.definition(key)
    for version in (old, new):
        if version not in definition.bpmn:
            raise ProcessNotFound(f"process '{key}' has no version {version}")
    changes = diff(definition.bpmn[old], definition.bpmn[new], key)
    return {"key": key, "from": old, "to": new, **changes}


def _owner() -> Actor:
    actor = current_actor()
    ensure(may_deploy(actor), f"{actor.username} may not change process definitions")
    return actor


@blp.route("/<key>/validate", methods=["POST"])
@blp.doc(requestBody=BPMN_BODY)
@blp.response(200, ValidationResultSchema)
def validate_view(key: str) -> dict[str, Any]:
    """Check a BPMN before deploying: engine errors, and catalogue conformance warnings."""
    _owner()
    ensure_known(key)
    return validate_bpmn(key, bpmn_from_request())


@blp.route("/<key>/versions", methods=["POST"])
@blp.doc(requestBody=BPMN_BODY)
@blp.response(201, DeployResultSchema)
@blp.alt_response(200, schema=DeployResultSchema, description="identical to the latest")
@blp.alt_response(422, description="InvalidDefinition, with `errors`")
def deploy_view(key: str) -> tuple[dict[str, Any], int]:
    """Deploy a BPMN as the next version of the process (process owners only)."""
    actor = _owner()
    ensure_known(key)
    result = deploy_bpmn(key, bpmn_from_request(), actor)
    current_app.logger.info("process %s version %s deployed by %s", key, result["version"],
                            actor.username)
    return result, 201 if result["created"] else 200


@blp.route("/<key>/versions", methods=["GET"])
@blp.response(200, VersionSchema(many=True))
@login_required
def list_versions(key: str) -> list[dict[str, Any]]:
    """Every deployed version of the process, oldest first."""
    return versions_of(key)


@blp.route("/<key>/diff")
@blp.arguments(DiffQuerySchema, location="query")
@blp.response(200, DiffSchema)
@login_required
def diff_view(args: dict[str, Any], key: str) -> dict[str, Any]:
    """Elements added, removed and changed (name, properties, flows) between two versions."""
    result = diff_versions(key, args["from_"], args["to"])
    return {**result, "from_": result.pop("from")}


@blp.route("/<key>/sensitivity-approvals", methods=["POST"])
@blp.arguments(SensitivityApprovalArgsSchema)
@blp.response(201, SensitivityApprovalSchema)
def approve_view(body: dict[str, Any], key: str) -> dict[str, Any]:
    """Approve, as an administrator, that exactly the BPMN ``sha256`` may change the
    process's ``sensitive``/``handling_role``; another person then deploys it (four eyes)."""
    actor = current_actor()
    entry = approve(services().orchestrator, key, body["sha256"], body["sensitive"],
                    body["handling_role"], actor)
    current_app.logger.info("sensitivity of %s approved by %s for %s", key, actor.username,
                            body["sha256"])
    return approval_dict(entry)


@blp.route("/<key>/sensitivity-approvals", methods=["GET"])
@blp.response(200, SensitivityApprovalSchema(many=True))
@login_required
def list_approvals(key: str) -> list[dict[str, Any]]:
    """Every approval of a sensitivity change of the process (approver, sha256, old, new)."""
    return approvals_of(key)
