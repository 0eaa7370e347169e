"""Process owners' pages: the process list, versions and what changed, and the modeler
(validation and deployment go through the same functions as the JSON API)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from api.auth import services
from api.pages.common import body_limit, page_actor, page_blueprint, permitted
from api.process_admin import (
    MAX_BODY,
    approvals_of,
    bpmn_from_request,
    deploy_bpmn,
    diff_versions,
    ensure_known,
    validate_bpmn,
    versions_of,
)
from orchestrator.errors import InvalidDefinition
from orchestrator.policy import may_deploy

bp = page_blueprint("pages_processes")


@bp.get("/proses")
@permitted(may_deploy)
def index() -> Any:
    app = services().orchestrator
    rows = []
    for key in sorted(app.process_keys()):
        definition = app.definition(key)
        rows.append({"key": key, **definition.versions[-1]})
    return render_template("proses_daftar.html", rows=rows)


@bp.get("/proses/<key>")
@permitted(may_deploy)
def detail(key: str) -> Any:
    """Versions of a process and, when asked, the differences between two of them."""
    versions = versions_of(key)
    latest = versions[-1]["version"]
    old = request.args.get("dari", max(1, latest - 1), type=int)
    new = request.args.get("ke", latest, type=int)
    changes = diff_versions(key, old, new) if old != new else None
    return render_template("proses_detail.html", key=key, versions=versions, dari=old, ke=new,
                           changes=changes, name=versions[-1]["name"],
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
    ensure_known(key)
    return validate_bpmn(key, bpmn_from_request())


@bp.post("/proses/<key>/terapkan")
@permitted(may_deploy)
@body_limit(MAX_BODY)
def deploy(key: str) -> Any:
    ensure_known(key)
    try:
        result = deploy_bpmn(key, bpmn_from_request(), page_actor())
    except InvalidDefinition as exc:
        errors = [str(e) for e in exc.details.get("errors") or []] or [exc.message]
        return {"detail": "Model belum dapat diterapkan.", "errors": errors}, 422
    return result, 201 if result["created"] else 200
