"""Process owners' pages: the process list, versions and what changed, and the modeler
(validation and deployment go through the same functions as the JSON API)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import render_template, request

from api.auth import services
from api.bpmn_compare import conflicts, diff
from api.bpmn_starter import starter_bpmn
from api.pages.common import body_limit, page_actor, page_blueprint, permitted
from api.process_admin import (
    MAX_BODY,
    approvals_of,
    bpmn_from_request,
    deploy_bpmn,
    diff_versions,
    key_problem,
    validate_bpmn,
    versions_of,
)
from orchestrator.errors import InvalidDefinition
from orchestrator.policy import may_deploy
from orchestrator.roles import SYSTEM_ROLES

bp = page_blueprint("pages_processes")
MAX_NAME = 120


@bp.get("/proses")
@permitted(may_deploy)
def index() -> Any:
    app = services().orchestrator
    rows = []
    for key in sorted(app.process_keys()):
        definition = app.definition(key)
        rows.append({"key": key, **definition.versions[-1]})
    return render_template("proses_daftar.html", rows=rows)


@bp.get("/proses-baru")
@permitted(may_deploy)
def new_process() -> Any:
    """A new process: its key, name and first lane; once they are valid, the modeler opens
    with a starter diagram (nothing is stored until the owner deploys it)."""
    roles = lane_choices()
    if not request.args:
        return render_template("proses_baru.html", values={}, errors={}, roles=roles)
    values = {name: request.args.get(name, "").strip() for name in ("kunci", "nama", "peran")}
    errors = new_process_errors(values, dict(roles))
    if errors:
        return render_template("proses_baru.html", values=values, errors=errors,
                               roles=roles), 422
    key, name = values["kunci"], values["nama"]
    bpmn = starter_bpmn(key, name, services().roles.name(values["peran"]))
    return render_template("modeler.html", key=key, version=None, bpmn=bpmn, name=name,
                           new=True)


def lane_choices() -> list[tuple[str, str]]:
    """The registry's roles a lane may name (the service's own roles excluded)."""
    return [(role.key, role.name) for role in services().roles.roles.values()
            if role.key not in SYSTEM_ROLES]


def new_process_errors(values: dict[str, str], roles: dict[str, str]) -> dict[str, list[str]]:
    """Indonesian messages per field of the new-process form; empty when it is valid."""
    errors: dict[str, list[str]] = {}
    key, name = values["kunci"], values["nama"]
    unsafe = key_problem(key) if key else None
    if not key:
        errors["kunci"] = ["Wajib diisi."]
    elif unsafe:
        errors["kunci"] = [unsafe.indonesian]
    elif key in services().orchestrator.process_keys():
        errors["kunci"] = [f"Kunci '{key}' sudah dipakai proses yang diterapkan; ubah proses "
                           "itu lewat modelernya."]
    if not name:
        errors["nama"] = ["Wajib diisi."]
    elif len(name) > MAX_NAME:
        errors["nama"] = [f"Paling banyak {MAX_NAME} karakter."]
    if values["peran"] not in roles:
        errors["peran"] = ["Pilih peran dari daftar."]
    return errors


@bp.get("/proses/<key>")
@permitted(may_deploy)
def detail(key: str) -> Any:
    """Versions of a process, the decrees' conflicts for it and, when asked, the differences
    between two versions."""
    versions = versions_of(key)
    latest = versions[-1]["version"]
    old = request.args.get("dari", max(1, latest - 1), type=int)
    new = request.args.get("ke", latest, type=int)
    changes = diff_versions(key, old, new) if old != new else None
    return render_template("proses_detail.html", key=key, versions=versions, dari=old, ke=new,
                           changes=changes, name=versions[-1]["name"],
                           conflicts=conflicts(services().config.processes_dir / "catalogue",
                                               key),
                           approvals=approvals_of(key))


@bp.get("/proses/<key>/modeler")
@permitted(may_deploy)
def modeler(key: str) -> Any:
    definition = services().orchestrator.definition(key)
    version = request.args.get("versi", definition.latest, type=int)
    if version not in definition.bpmn:
        version = definition.latest
    return render_template("modeler.html", key=key, version=version,
                           bpmn=definition.bpmn[version], name=definition.versions[-1]["name"])


@bp.post("/proses/<key>/periksa")
@permitted(may_deploy)
@body_limit(MAX_BODY)
def check(key: str) -> Any:
    return validate_bpmn(key, bpmn_from_request(), indonesian=True)


@bp.post("/proses/<key>/pratinjau")
@permitted(may_deploy)
@body_limit(MAX_BODY)
def preview(key: str) -> Any:
    """What deploying this BPMN would change against the latest version, without deploying."""
    return deploy_preview(key, bpmn_from_request())


def deploy_preview(key: str, bpmn: bytes) -> dict[str, Any]:
    """The validation result plus the elements added, removed and changed against the latest
    deployed version; a key never deployed would become version 1."""
    checked = validate_bpmn(key, bpmn, indonesian=True)
    empty: dict[str, Any] = {"added": [], "removed": [], "changed": []}
    app = services().orchestrator
    if key not in app.process_keys():
        return {**checked, **empty, "new": True, "latest": None, "version": 1, "identical": False}
    definition = app.definition(key)
    latest = definition.latest
    identical = hashlib.sha256(bpmn).hexdigest() == definition.versions[-1]["sha256"]
    changes = diff(definition.bpmn[latest], bpmn.decode("utf-8"), key) if checked["valid"] \
        else empty
    return {**checked, **changes, "new": False, "latest": latest, "identical": identical,
            "version": latest if identical else latest + 1}


@bp.post("/proses/<key>/terapkan")
@permitted(may_deploy)
@body_limit(MAX_BODY)
def deploy(key: str) -> Any:
    try:
        result = deploy_bpmn(key, bpmn_from_request(), page_actor(), source="modeler",
                             indonesian=True)
    except InvalidDefinition as exc:
        errors = [str(e) for e in exc.details.get("errors") or []] or [exc.message]
        return {"detail": "Model belum dapat diterapkan.", "errors": errors}, 422
    return result, 201 if result["created"] else 200
