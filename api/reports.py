"""Case lists, SLA (overdue work) and dashboards: reads over the worklist projection."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

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
from orchestrator.audit import Auditor
from orchestrator.commands import Actor
from orchestrator.policy import may_list_process, may_see_task, reporter_lanes_held
from projections.queries import Page

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Case lists, SLA")


def visible_processes(actor: Actor) -> list[str] | None:
    """The processes whose cases the actor may list (None: every one of them)."""
    app = services().orchestrator
    keys = app.process_keys()
    visible = [k for k in keys if may_list_process(actor, app.model(k)[0])]
    return None if len(visible) == len(keys) else visible


def hidden_inbox_rows(actor: Actor) -> tuple[list[str], list[str]]:
    """(lanes, processes): tasks in those lanes of those processes stay out of the actor's
    inbox (a sensitive process's reporter steps, for staff who also hold a reporter lane)."""
    held = reporter_lanes_held(actor)
    if not held:
        return [], []
    app = services().orchestrator
    models = [app.model(k)[0] for k in app.process_keys()]
    hidden = {(lane, m.key) for m in models for lane in held if not may_see_task(actor, m, lane)}
    return sorted({lane for lane, _ in hidden}), sorted({key for _, key in hidden})


def inbox_page_for(actor: Actor, **query: Any) -> Page:
    """The actor's inbox: what the policy lets them see, each sensitive case listed logged."""
    lanes, processes = hidden_inbox_rows(actor)
    page = services().inbox.inbox_page(actor.roles, actor.username, hidden_lanes=lanes,
                                       hidden_processes=processes, **query)
    log_listed(page.items, actor, "list (inbox)")
    return page


def log_listed(rows: list[dict[str, Any]], actor: Actor, what: str) -> None:
    """Record in its access log every sensitive case a list shows, before it is answered."""
    app = services().orchestrator
    auditor = Auditor(app)
    sensitive = [r["case_id"] for r in rows
                 if app.model(r["process"], r["process_version"])[0].sensitive]
    for case_id in dict.fromkeys(sensitive):
        auditor.record_read(app.get_case(UUID(case_id)), actor, what)


def narrowed(scope: list[str] | None, process: str) -> list[str]:
    """One process out of a scope (an empty scope stays empty: it never widens to it)."""
    return [process] if scope is None else [p for p in scope if p == process]


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
        scope = narrowed(scope, args["process"])
    page = svc.inbox.cases(
        processes=scope, status=args.get("status"), role=args.get("role"),
        started_from=_wita_day(args.get("started_from")),
        started_to=_wita_day(args.get("started_to"), 1),
        registration=args.get("registration"), q=args.get("q"),
        limit=args["limit"], offset=args["offset"])
    log_listed(page.items, actor, "list (search)" if args.get("q") else "list (cases)")
    headers = {"X-Total-Count": str(page.total), "X-Alur-Stale": str(not fresh).lower()}
    return [case_row(r) for r in page.items], 200, headers


@blp.route("/sla/overdue")
@blp.arguments(ScopeArgsSchema, location="query")
@blp.response(200, OverdueSchema)
def overdue(args: dict[str, Any]) -> dict[str, Any]:
    """Late tasks (per role, with who holds them) and cases past their service time."""
    actor = current_actor()
    scope = visible_processes(actor)
    if args.get("process"):
        scope = narrowed(scope, args["process"])
    result = services().inbox.overdue(processes=scope)
    log_listed([*result["cases"], *result["tasks"]], actor, "list (sla)")
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
    """Per process: open, completed, overdue, cycle time in working hours; per step too.

    Counts only, no case: a sensitive process appears only to those who may open its cases."""
    return services().inbox.dashboard(process=args.get("process"),
                                      processes=visible_processes(current_actor()))
