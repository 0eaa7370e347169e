"""Case lists, SLA (overdue work) and dashboards: reads over the worklist projection."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from api.auth import current_actor, services
from api.presenters import WITA, to_wita
from api.report_schemas import (
    CaseListArgsSchema,
    CaseRowSchema,
    OverdueSchema,
    ProcessStatsSchema,
    ScopeArgsSchema,
)
from orchestrator.commands import Actor
from orchestrator.policy import may_read_case, sees_every_process

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Case lists, SLA")


def visible_processes(actor: Actor) -> list[str] | None:
    """None for overseers (everything), else the processes with a lane the actor holds."""
    if sees_every_process(actor):
        return None
    app = services().orchestrator
    return [k for k in app.process_keys() if may_read_case(actor, app.model(k)[0])]


def case_row(row: dict[str, Any]) -> dict[str, Any]:
    minutes = row.get("cycle_minutes")
    return {**row, "cycle_hours": None if minutes is None else round(minutes / 60, 2),
            **{k: to_wita(row.get(k)) for k in ("started_at", "completed_at", "deadline_at",
                                                "due_at")}}


def _wita_day(day: Any, days_after: int = 0) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=WITA) + timedelta(days=days_after) \
        if day else None


@blp.route("/cases")
@blp.arguments(CaseListArgsSchema, location="query")
@blp.response(200, CaseRowSchema(many=True))
def list_cases(args: dict[str, Any]) -> Any:
    """Cases by process, status, waiting role, start date (WITA), registration or text."""
    actor = current_actor()
    svc = services()
    fresh = svc.projections.wait(args.get("after"), timeout=current_app.config["READ_WAIT"])
    scope = visible_processes(actor)
    if args.get("process"):
        scope = [p for p in (scope or [args["process"]]) if p == args["process"]]
    page = svc.inbox.cases(
        processes=scope, status=args.get("status"), role=args.get("role"),
        started_from=_wita_day(args.get("started_from")),
        started_to=_wita_day(args.get("started_to"), 1),
        registration=args.get("registration"), q=args.get("q"),
        limit=args["limit"], offset=args["offset"])
    headers = {"X-Total-Count": str(page.total), "X-Alur-Stale": str(not fresh).lower()}
    return [case_row(r) for r in page.items], 200, headers


@blp.route("/sla/overdue")
@blp.arguments(ScopeArgsSchema, location="query")
@blp.response(200, OverdueSchema)
def overdue(args: dict[str, Any]) -> dict[str, Any]:
    """Late tasks (per role, with who holds them) and cases past their service time."""
    scope = visible_processes(current_actor())
    if args.get("process"):
        scope = [p for p in (scope or [args["process"]]) if p == args["process"]]
    result = services().inbox.overdue(processes=scope)
    by_unit: dict[str, int] = {}
    for role, count in result["by_role"].items():
        unit = services().roles.unit(role)
        by_unit[unit] = by_unit.get(unit, 0) + count
    result["by_unit"] = by_unit
    result["cases"] = [case_row(c) for c in result["cases"]]
    result["tasks"] = [case_row(t) for t in result["tasks"]]
    return result


@blp.route("/dashboard")
@blp.arguments(ScopeArgsSchema, location="query")
@blp.response(200, ProcessStatsSchema(many=True))
def dashboard(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Per process: open, completed, overdue, cycle time in working hours; per step too."""
    return services().inbox.dashboard(process=args.get("process"),
                                      processes=visible_processes(current_actor()))
