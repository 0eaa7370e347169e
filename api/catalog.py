"""Roles and deployed processes."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.auth import login_required, services
from api.bpmn_compare import conflicts
from api.schemas import ProcessDetailSchema, ProcessQuerySchema, ProcessSchema, RoleSchema
from orchestrator.roles import SYSTEM_ROLES

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="Roles and processes")


def _process(key: str, version: int | None = None) -> dict[str, Any]:
    app = services().orchestrator
    definition = app.definition(key)
    model, version = app.model(key, version)
    info = definition.version_info(version)
    sop = key.removeprefix("sop_").replace("_", ".") if key.startswith("sop_") else None
    return {"key": key, "version": version, "name": info.name, "sop": sop,
            "sha256": info.sha256, "deployed_at": info.deployed_at,
            "lanes": sorted(set(model.lanes.values())), "_definition": definition}


@blp.route("/roles")
@blp.response(200, RoleSchema(many=True))
@login_required
def roles() -> list[dict[str, Any]]:
    """Every role that is a lane of a deployed process (and the service's own roles)."""
    svc = services()
    used: set[str] = set()
    for key in svc.orchestrator.process_keys():
        used.update(svc.orchestrator.model(key)[0].lanes.values())
    users = [svc.orchestrator.find_user(u) for u in svc.orchestrator.usernames()]
    holders: dict[str, str] = {}
    for user in users:
        if user and user.demo:
            for role in user.roles:
                holders.setdefault(role, user.username)
    keys = [k for k in svc.roles.roles if k in used or k in SYSTEM_ROLES]
    return [{"key": k, "name": svc.roles.name(k), "demo_user": holders.get(k)} for k in keys]


@blp.route("/processes")
@blp.response(200, ProcessSchema(many=True))
@login_required
def processes() -> list[dict[str, Any]]:
    """Deployed processes, latest version of each."""
    return [_process(key) for key in sorted(services().orchestrator.process_keys(),
                                            key=_sort_key)]


@blp.route("/processes/<key>")
@blp.arguments(ProcessQuerySchema, location="query")
@blp.response(200, ProcessDetailSchema)
@login_required
def process(args: dict[str, Any], key: str) -> dict[str, Any]:
    """One process with its BPMN XML (latest version, or ?version=N), its version list and the
    decrees' conflicts recorded for it in the catalogue."""
    result = _process(key, args.get("version"))
    definition = result.pop("_definition")
    result["bpmn"] = definition.bpmn[result["version"]]
    result["versions"] = definition.versions
    result["conflicts"] = conflicts(services().config.processes_dir / "catalogue", key)
    return result


def _sort_key(key: str) -> tuple[Any, ...]:
    """SOPs in decree order (9.2 before 9.10), then the services."""
    numbers = [int(p) for p in key.split("_")[1:3] if p.isdigit()]
    return (0 if key.startswith("sop_") else 1, numbers, key)
