"""The office calendar over the API: everyone signed in reads it; administrators declare or
withdraw a cuti bersama and change office hours, each an event with its decree."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_smorest import Blueprint

from api.auth import current_actor, services
from api.calendar_schemas import (
    CalendarQuerySchema,
    CalendarSchema,
    DeclareCutiSchema,
    OfficeHoursSchema,
    WithdrawCutiSchema,
)
from orchestrator.commands import ChangeOfficeHours, DeclareCutiBersama, WithdrawCutiBersama
from orchestrator.errors import InvalidInput
from orchestrator.office_calendar import describe

blp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar",
                description="Office calendar: cuti bersama and office hours")


def calendar_now(year: int | None = None) -> dict[str, Any]:
    book = services().calendar
    return describe(book, year or datetime.now(book.seed.tz).year)


@blp.route("", methods=["GET"])
@blp.arguments(CalendarQuerySchema, location="query")
@blp.response(200, CalendarSchema)
def show(query: dict[str, Any]) -> dict[str, Any]:
    """The calendar as it stands, the year's national holidays and every change."""
    current_actor()  # signed in
    return calendar_now(query.get("year"))


@blp.route("/cuti-bersama", methods=["POST"])
@blp.arguments(DeclareCutiSchema)
@blp.response(201, CalendarSchema)
def declare(body: dict[str, Any]) -> dict[str, Any]:
    """Declare a cuti bersama: due times computed from now on skip the day; those computed
    before stay as they were."""
    services().orchestrator.declare_cuti_bersama(DeclareCutiBersama(
        actor=current_actor(), day=body["day"], reason=body["reason"], decree=body["decree"]))
    return calendar_now()


@blp.route("/cuti-bersama/<day>/withdraw", methods=["POST"])
@blp.arguments(WithdrawCutiSchema)
@blp.response(200, CalendarSchema)
def withdraw(body: dict[str, Any], day: str) -> dict[str, Any]:
    """Withdraw a cuti bersama not yet taken."""
    services().orchestrator.withdraw_cuti_bersama(WithdrawCutiBersama(
        actor=current_actor(), day=_day(day), reason=body["reason"], decree=body["decree"]))
    return calendar_now()


@blp.route("/office-hours", methods=["PUT"])
@blp.arguments(OfficeHoursSchema)
@blp.response(200, CalendarSchema)
def office_hours(body: dict[str, Any]) -> dict[str, Any]:
    """Office hours from a date on (past days keep theirs)."""
    services().orchestrator.change_office_hours(ChangeOfficeHours(
        actor=current_actor(), effective_from=body["effective_from"],
        office_hours=body["office_hours"], friday_hours=body["friday_hours"],
        reason=body["reason"], decree=body["decree"]))
    return calendar_now()


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"'{raw}' is not a date (YYYY-MM-DD)",
                           errors={"day": ["not a date (YYYY-MM-DD)"]}) from None
