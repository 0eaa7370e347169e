"""Process owners: validate a BPMN against the engine and the catalogue, deploy it as a new
version, list versions, and see what changed between two versions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.auth import current_actor, login_required, services
from api.bpmn_compare import conformance, diff, elements, flowchart, linked_flowcharts
from api.presenters import to_wita
from orchestrator.commands import Actor, DeployProcess
from orchestrator.engine import executable_process_ids, load_model
from orchestrator.errors import InvalidDefinition, InvalidInput, ProcessNotFound
from orchestrator.policy import OPERATOR, ensure, may_deploy
from orchestrator.sensitivity import approve

blp = Blueprint("process_admin", __name__, url_prefix="/api/v1/processes",
                description="Process owners: validate, deploy, versions, diff")
MAX_BODY = 2 * 1024 * 1024 + 64 * 1024  # the engine refuses BPMN over 2 MiB anyway
SAFE_KEY = re.compile(r"[a-z][a-z0-9_]{2,40}")  # the key of a new process
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
    source = fields.String(metadata={
        "description": "file:<path> (from disk at start-up), modeler or api; empty for "
                       "versions deployed before sources were recorded"})


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


@dataclass(frozen=True)
class Problem:
    """Why a BPMN cannot create a new process: English for the API, Indonesian for pages."""

    english: str
    indonesian: str

    def text(self, indonesian: bool) -> str:
        return self.indonesian if indonesian else self.english


def key_problem(key: str) -> Problem | None:
    """None when ``key`` is a safe identifier for a new process."""
    if SAFE_KEY.fullmatch(key):
        return None
    return Problem(
        f"key '{key}' is not a safe identifier: 3 to 41 lower-case letters, digits or '_',"
        f" starting with a letter (^{SAFE_KEY.pattern}$)",
        f"Kunci '{key}' tidak sah: gunakan 3 sampai 41 huruf kecil, angka, atau garis bawah, "
        "diawali huruf.")


def creation_problems(key: str, bpmn: bytes) -> list[Problem]:
    """For a key never deployed: a safe key, one executable process with that id, and lanes
    that are all registry roles ([] for a deployed key; the engine checks everything else)."""
    if key in services().orchestrator.process_keys():
        return []
    unsafe = key_problem(key)
    if unsafe:
        return [unsafe]
    try:
        ids = executable_process_ids(bpmn)
    except InvalidDefinition:
        return []  # not readable BPMN: the engine's validation says why
    if ids != [key]:
        found = ", ".join(ids)
        return [Problem(f"the executable process id must be '{key}' (found: {found or 'none'})",
                        f"ID proses yang dapat dijalankan harus '{key}' "
                        f"(ditemukan: {found or 'tidak ada'}).")]
    return _lane_problems(key, bpmn)


def _lane_problems(key: str, bpmn: bytes) -> list[Problem]:
    roles = services().roles
    lanes = [e for e in elements(bpmn, key).values() if e["type"] == "lane"]
    if not lanes:
        return [Problem("a new process needs at least one lane named after a registry role",
                        "Proses baru memerlukan sedikitnya satu lajur yang dinamai menurut "
                        "peran dalam daftar peran.")]
    return [Problem(f"lane '{lane['name']}' ({lane['id']}) is not a role in the roles registry",
                    f"Lajur '{lane['name']}' ({lane['id']}) bukan peran dalam daftar peran.")
            for lane in lanes if roles.key_for_lane(lane["name"]) is None]


def validate_bpmn(key: str, bpmn: bytes, indonesian: bool = False) -> dict[str, Any]:
    """Engine validation (errors) and catalogue conformance (warnings), without deploying."""
    svc = services()
    problems = creation_problems(key, bpmn)
    if problems:
        return {"key": key, "valid": False, "errors": [p.text(indonesian) for p in problems],
                "warnings": [], "name": None}
    try:
        model = load_model(key, bpmn, svc.roles)
    except InvalidDefinition as exc:
        errors = [str(e) for e in exc.details.get("errors") or []] or [exc.message]
        return {"key": key, "valid": False, "errors": errors, "warnings": [], "name": None}
    catalogue = svc.config.processes_dir / "catalogue"
    chart = flowchart(catalogue, key)
    return {"key": key, "valid": True, "errors": [],
            "warnings": conformance(model, chart, linked_flowcharts(catalogue, model)),
            "name": model.name}


def deploy_bpmn(key: str, bpmn: bytes, actor: Actor, source: str = "api",
                indonesian: bool = False) -> dict[str, Any]:
    """Deploy as the next version, or as version 1 of a new process (InvalidDefinition →
    422); running cases keep theirs."""
    app = services().orchestrator
    # the operator's name deploys the repository's files at start-up, never a web request
    ensure(actor.username != OPERATOR, f"'{OPERATOR}' may not deploy over HTTP")
    problems = creation_problems(key, bpmn)
    if problems:
        raise InvalidDefinition(f"{key}: cannot create this process",
                                errors=[p.text(indonesian) for p in problems])
    before = app.definition(key).latest if key in app.process_keys() else 0
    version = app.deploy(DeployProcess(key, bpmn, actor, source=source))
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
    """Check a BPMN before deploying (or creating the process): engine errors, and catalogue
    conformance warnings."""
    _owner()
    return validate_bpmn(key, bpmn_from_request())


@blp.route("/<key>/versions", methods=["POST"])
@blp.doc(requestBody=BPMN_BODY)
@blp.response(201, DeployResultSchema)
@blp.alt_response(200, schema=DeployResultSchema, description="identical to the latest")
@blp.alt_response(422, description="InvalidDefinition, with `errors`")
def deploy_view(key: str) -> tuple[dict[str, Any], int]:
    """Deploy a BPMN as the next version of the process, or create it (process owners only)."""
    actor = _owner()
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
