"""BPMN timer events in Alur: what a timer waits for, when it is due, and who fires it.

SpiffWorkflow's timers compare their due moment with the wall clock whenever the workflow is
refreshed (``refresh_timers``), in calendar time. In Alur a timer never looks at the clock: the
engine reports every waiting timer, the case records it as ``TimerArmed`` with its due moment
(computed here, in WITA working time where the BPMN says so), and the scheduler fires it with a
``TimerFired`` command once that moment has passed. So the due moment is a fact in the case's
chain, a restart loses nothing (the pending timers are derived from the log), and a timer fires
exactly once (the case's version decides between two schedulers).

What a timer may say (checked at deploy, and again at run time for an expression over data):
- ``timeDuration``: an ISO 8601 duration (``PT2H``, ``P3D``, ``P1M``), from the moment the
  timer is reached; ``timeDate``: an ISO 8601 moment (WITA when it has no offset).
  ``timeCycle`` is refused: recurring work is started by ``processes/schedules.yaml``.
- Working time: a ``spiffworkflow:property`` ``working_time`` = ``true`` on the event counts the
  duration in office time (``P3D`` = 3 working days at the same clock time, ``PT2H`` = 120
  office minutes, ``P1M`` = a calendar month moved to the next working day, ``P1W`` = 5 working
  days), as the decree counts its "N hari kerja"; without it the duration is calendar time.
- Bounds: at most ``MAX_DAYS`` ahead (a duration of 5 years, a date 5 years from now);
  ``P99999Y`` or a date in the year 9999 is refused, never armed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

from orchestrator.worktime import Calendar, Duration

MAX_DAYS = 5 * 366
WITA = ZoneInfo("Asia/Makassar")
DURATION, DATE = "duration", "date"


class TimerError(ValueError):
    """A timer expression Alur will not arm (unparsable, or beyond the bounds)."""


@dataclass(frozen=True)
class TimerSpec:
    """A timer event of a deployed process, as its BPMN declares it."""

    element_id: str
    name: str
    kind: str  # DURATION or DATE
    expression: str  # as written: a quoted literal ("PT2H") or an expression over data
    working: bool  # count the duration in office time
    attached_to: str | None  # the user task's element id, for a boundary event
    interrupting: bool  # a boundary event that cancels its task (cancelActivity)


def _fired_only(self: TimerEventDefinition, my_task: Any) -> bool:
    """A timer has fired when Alur's scheduler said so, never because of the clock."""
    return bool(my_task._get_internal_data("event_fired", False))


def _never_look_at_the_clock() -> None:
    DurationTimerEventDefinition.has_fired = _fired_only
    TimeDateEventDefinition.has_fired = _fired_only


_never_look_at_the_clock()


def literal(expression: str) -> str | None:
    """The text of a quoted literal expression (``"PT2H"`` → ``PT2H``), else None."""
    text = expression.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        inner = text[1:-1]
        return inner if inner and not any(q in inner for q in "'\"\\") else None
    return None


def parse_duration(text: str) -> dict[str, float]:
    """An ISO 8601 duration's parts (years, months, weeks, days, hours, minutes, seconds)."""
    if not isinstance(text, str) or not text.upper().startswith("P") or len(text) > 40:
        raise TimerError(f"{text!r} is not an ISO 8601 duration (such as PT2H or P3D)")
    try:
        parts = TimerEventDefinition.parse_iso_duration(text)
    except Exception:
        raise TimerError(f"{text!r} is not an ISO 8601 duration (such as PT2H or P3D)") from None
    if not parts or any(v < 0 for v in parts.values()):
        raise TimerError(f"{text!r} is an empty or negative duration")
    return parts


def _rough_days(parts: dict[str, float]) -> float:
    return (parts.get("years", 0) * 366 + parts.get("months", 0) * 31
            + parts.get("weeks", 0) * 7 + parts.get("days", 0) + parts.get("hours", 0) / 24
            + parts.get("minutes", 0) / 1440 + parts.get("seconds", 0) / 86400)


def parse_date(text: str) -> datetime:
    """An ISO 8601 moment (WITA when it names no offset)."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise TimerError(f"{text!r} is not an ISO 8601 date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=WITA)


def check(kind: str, value: str, now: datetime | None = None) -> None:
    """Refuse what cannot be armed: unparsable, or further than ``MAX_DAYS`` ahead."""
    if kind == DURATION:
        if _rough_days(parse_duration(value)) > MAX_DAYS:
            raise TimerError(f"duration {value} is longer than {MAX_DAYS // 366} years")
        return
    moment = parse_date(value)
    if moment - (now or datetime.now(UTC)) > timedelta(days=MAX_DAYS):
        raise TimerError(f"date {value} lies more than {MAX_DAYS // 366} years ahead")


def due_at(kind: str, value: str, working: bool, start: datetime,
           calendar: Calendar) -> datetime:
    """When a timer reached at ``start`` is due (aware, WITA)."""
    check(kind, value, start)
    if kind == DATE:
        return parse_date(value).astimezone(WITA)
    parts = parse_duration(value)
    if not working:
        delta = TimerEventDefinition.get_timedelta_from_start(dict(parts), start)
        return (start + delta).astimezone(WITA)
    moment = start
    months = int(parts.get("years", 0) * 12 + parts.get("months", 0))
    days = int(parts.get("weeks", 0) * 5 + parts.get("days", 0))
    minutes = round(parts.get("hours", 0) * 60 + parts.get("minutes", 0)
                    + parts.get("seconds", 0) / 60)
    if months:
        moment = calendar.add(moment, Duration(months=months))
    if days:
        moment = calendar.add(moment, Duration(days=days))
    if minutes or not (months or days):
        moment = calendar.add(moment, Duration(minutes=minutes))
    return moment.astimezone(WITA)
