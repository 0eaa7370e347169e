"""Acting officials (Plh/Plt) over the API: administrators, and officials for their own roles,
name a deputy for a date range; everyone sees the appointments that concern them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_smorest import Blueprint

from api.acting_schemas import ActingRowSchema, EndActingSchema, NewActingSchema
from api.auth import current_actor, services
from orchestrator.acting import ActingFor
from orchestrator.commands import AppointActing, EndActing
from orchestrator.policy import may_manage_users

blp = Blueprint("acting", __name__, url_prefix="/api/v1/acting",
                description="Acting officials (Plh/Plt)")
WITA = ZoneInfo("Asia/Makassar")


def row(deputy: str, appointment: ActingFor) -> dict[str, Any]:
    today = datetime.now(WITA).date()
    return {"deputy": deputy, **vars(appointment), "holds_today": appointment.holds_on(today)}


def visible_appointments() -> list[dict[str, Any]]:
    """All for administrators; otherwise those in which the caller stands in or is stood in
    for, or that they made."""
    actor = current_actor()
    rows = [row(d, a) for d, a in services().orchestrator.appointments()]
    if may_manage_users(actor):
        return rows
    me = actor.username
    return [r for r in rows if me in (r["deputy"], r["official"], r["by"])]


@blp.route("", methods=["GET"])
@blp.response(200, ActingRowSchema(many=True))
def list_appointments() -> list[dict[str, Any]]:
    """Appointments the caller may see, newest last."""
    return visible_appointments()


@blp.route("", methods=["POST"])
@blp.arguments(NewActingSchema)
@blp.response(201, ActingRowSchema)
def appoint(body: dict[str, Any]) -> dict[str, Any]:
    """Name a Plh/Plt: the deputy holds the role on every day of the range, and every act
    they do in its lanes records on whose behalf."""
    appointment = services().orchestrator.appoint_acting(AppointActing(
        actor=current_actor(), deputy=body["deputy"], role=body["role"], kind=body["kind"],
        starts_on=body["starts_on"], ends_on=body["ends_on"], reason=body["reason"],
        official=body.get("official")))
    return row(body["deputy"], appointment)


@blp.route("/<deputy>/<appointment_id>/end", methods=["POST"])
@blp.arguments(EndActingSchema)
@blp.response(204)
def end(body: dict[str, Any], deputy: str, appointment_id: str) -> None:
    """End an appointment before its last day (it also ends by itself after it)."""
    services().orchestrator.end_acting(EndActing(
        actor=current_actor(), deputy=deputy, appointment_id=appointment_id,
        reason=body["reason"]))
