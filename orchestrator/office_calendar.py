"""The office calendar as events: cuti bersama and office hours, declared by an administrator
with the decree they follow, so that every due time stays explainable.

One stream (``OfficeCalendar``) holds the calendar: its first event records the seed the
service was configured with (ALUR_CUTI_BERSAMA, ALUR_OFFICE_HOURS, ALUR_FRIDAY_HOURS), every
later one a declared or withdrawn cuti bersama or a change of office hours from a date on.
Until the first change the stream does not exist and the configuration is the calendar.

A due time is computed with the calendar *as it was recorded* when the due time was computed
(``CalendarBook.at(moment)``): a cuti bersama declared today moves the due times of steps and
cases begun after the declaration, never those computed before it, and a projection rebuilt
next year computes every due time again exactly as it was. Office hours change from an
effective date, so the hours of a past day never change either.
"""

from __future__ import annotations

import bisect
import re
import threading
import time as monotonic
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate
from orchestrator.worktime import Calendar, Duration, public_holiday, public_holidays

CALENDAR_ID = uuid5(NAMESPACE_URL, "alur:office-calendar")
HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
# a change made by another process is seen within this long (one cheap read per period)
FRESH_FOR = 1.0
# a change created this long before a check may still have been committing during it
COMMIT_MARGIN = timedelta(seconds=2)
# a decree sets cuti bersama and office hours for this year and the next, never decades ahead
AHEAD = timedelta(days=2 * 366)


class OfficeCalendar(ChainedAggregate):
    """The office's working calendar: cuti bersama and office hours, with their decrees."""

    @staticmethod
    def create_id(**_: object) -> UUID:
        return CALENDAR_ID

    @event("Opened")
    def __init__(self, office_hours: str, friday_hours: str, cuti_bersama: list[str],
                 by: str) -> None:
        """The configured calendar at the moment it was first changed (the seed)."""
        self.office_hours, self.friday_hours = office_hours, friday_hours
        self.cuti: dict[str, dict[str, str]] = {
            day: {"reason": "configuration (ALUR_CUTI_BERSAMA)", "decree": "", "by": by}
            for day in cuti_bersama}
        self.periods: list[dict[str, str]] = []

    @event("CutiBersamaDeclared")
    def declare(self, day: str, reason: str, decree: str, by: str) -> None:
        self.cuti[day] = {"reason": reason, "decree": decree, "by": by}

    @event("CutiBersamaWithdrawn")
    def withdraw(self, day: str, reason: str, decree: str, by: str) -> None:
        self.cuti.pop(day, None)

    @event("OfficeHoursChanged")
    def change_hours(self, effective_from: str, office_hours: str, friday_hours: str,
                     reason: str, decree: str, by: str) -> None:
        self.periods = [p for p in self.periods if p["effective_from"] < effective_from]
        self.periods.append({"effective_from": effective_from, "office_hours": office_hours,
                             "friday_hours": friday_hours})


def apply_change(calendar: Calendar, change: Any) -> Calendar:
    """``calendar`` after one stored event of the stream (the book folds them so)."""
    name = type(change).__name__
    if name == "Opened":
        opened: Any = change  # the Opened event (decorated __init__) has the seed's fields
        return replace(calendar, office_hours=opened.office_hours,
                       friday_hours=opened.friday_hours,
                       cuti_bersama=tuple(sorted(opened.cuti_bersama)), hours_from=())
    if name == "CutiBersamaDeclared":
        return replace(calendar, cuti_bersama=tuple(sorted({*calendar.cuti_bersama,
                                                              change.day})))
    if name == "CutiBersamaWithdrawn":
        return replace(calendar, cuti_bersama=tuple(d for d in calendar.cuti_bersama
                                                    if d != change.day))
    if name == "OfficeHoursChanged":
        kept = tuple(p for p in calendar.hours_from if p[0] < change.effective_from)
        return replace(calendar, hours_from=(
            *kept, (change.effective_from, change.office_hours, change.friday_hours)))
    return calendar


class CalendarBook:
    """Every calendar the office has had, by the moment it was recorded.

    ``read(after_version)`` returns the stream's stored events after a version (all when
    None). The book reads only what is new, and only when asked about a moment it may not
    know yet: a projection rebuilt over old events asks about the past and never reads. Each
    version's ``Calendar`` is built once (it caches its working days)."""

    def __init__(self, seed: Calendar, read: Callable[[int | None], Sequence[Any]]) -> None:
        self.seed = seed
        self._read = read
        self._lock = threading.Lock()
        self.changes: list[Any] = []  # the stream's events, oldest first
        self._stamps: list[datetime] = []
        self._calendars: list[Calendar] = [seed]  # after 0, 1, 2 … changes
        self._known_until = datetime.min.replace(tzinfo=UTC)
        self._checked = -FRESH_FOR - 1.0

    def at(self, moment: datetime) -> Calendar:
        """The calendar as recorded at ``moment``: the changes stored before it apply."""
        if moment > self._known_until and monotonic.monotonic() - self._checked > FRESH_FOR:
            self.refresh()
        count = bisect.bisect_right(self._stamps, moment)
        return self._calendars[count]

    def now(self) -> Calendar:
        return self.at(datetime.now(UTC))

    def refresh(self) -> None:
        """Read the changes stored since the last read (this process's writes call it)."""
        with self._lock:
            checked = datetime.now(UTC)
            last = self.changes[-1].originator_version if self.changes else None
            for change in self._read(last):
                self.changes.append(change)  # the calendar before its stamp: readers bisect
                self._calendars.append(apply_change(self._calendars[-1], change))
                self._stamps.append(change.timestamp)
            self._known_until = checked - COMMIT_MARGIN
            self._checked = monotonic.monotonic()

    # the calendar as it stands now, for callers that compute a due time from now on
    def add(self, start: datetime, duration: Duration) -> datetime:
        return self.now().add(start, duration)

    def working_minutes(self, start: datetime, end: datetime) -> int:
        return self.now().working_minutes(start, end)

    def is_working_day(self, day: date) -> bool:
        return self.now().is_working_day(day)

    def next_open(self, moment: datetime) -> datetime:
        return self.now().next_open(moment)

    def current_state(self) -> Calendar:
        """The calendar as it stands now (every change so far)."""
        self.refresh()
        return self._calendars[-1]


# -- validation -----------------------------------------------------------------------------

def hours_problem(spec: str) -> str | None:
    """Why ``spec`` is not office hours ("08:00-16:00"), or None."""
    match = HOURS.match(spec.strip())
    if not match:
        return f"'{spec}' is not HH:MM-HH:MM (e.g. 08:00-16:00)"
    opens, closes = spec.strip().split("-")
    if closes <= opens:
        return f"'{spec}': closing time must be after opening time"
    return None


def declare_problems(day: date, calendar: Calendar, today: date) -> dict[str, list[str]]:
    """Why ``day`` cannot be declared a cuti bersama (empty when it can)."""
    iso = day.isoformat()
    if day < today:
        return {"day": [f"{iso} is in the past: a cuti bersama is declared before the day"]}
    if day > today + AHEAD:
        return {"day": [f"{iso} is too far ahead (at most {AHEAD.days} days)"]}
    if iso in calendar.cuti_bersama:
        return {"day": [f"{iso} is already a cuti bersama"]}
    if day.weekday() >= 5:
        return {"day": [f"{iso} is a {'Saturday' if day.weekday() == 5 else 'Sunday'}: "
                        "not a working day already"]}
    holiday = public_holiday(day)
    if holiday:
        return {"day": [f"{iso} is already a public holiday ({holiday})"]}
    return {}


def withdraw_problems(day: date, calendar: Calendar, today: date) -> dict[str, list[str]]:
    iso = day.isoformat()
    if iso not in calendar.cuti_bersama:
        return {"day": [f"{iso} is not a cuti bersama"]}
    if day < today:
        return {"day": [f"{iso} is past: the day was taken as cuti bersama and stays so"]}
    return {}


def history_rows(changes: Sequence[Any]) -> list[dict[str, Any]]:
    """The stream's events as rows for the API and the page, oldest first."""
    rows = []
    for change in changes:
        kind = type(change).__name__
        fields = {k: v for k, v in vars(change).items()
                  if k not in ("originator_id", "originator_version", "timestamp",
                               "prev_hash", "originator_topic")}
        rows.append({"event": kind, "at": change.timestamp.isoformat(),
                     "version": change.originator_version, **fields})
    return rows


def describe(book: CalendarBook, year: int) -> dict[str, Any]:
    """The calendar as it stands: hours per period, each cuti bersama with who declared it
    and why, the year's national holidays for reference, and every change."""
    current = book.current_state()
    declared: dict[str, dict[str, Any]] = {
        day: {"day": day, "reason": "configuration (ALUR_CUTI_BERSAMA)", "decree": "",
              "by": "", "at": None} for day in book.seed.cuti_bersama}
    for row in history_rows(book.changes):
        if row["event"] == "Opened":
            declared = {day: {"day": day, "reason": "configuration (ALUR_CUTI_BERSAMA)",
                              "decree": "", "by": row["by"], "at": row["at"]}
                        for day in row["cuti_bersama"]}
        elif row["event"] == "CutiBersamaDeclared":
            declared[row["day"]] = {k: row[k] for k in ("day", "reason", "decree", "by", "at")}
        elif row["event"] == "CutiBersamaWithdrawn":
            declared.pop(row["day"], None)
    return {
        "timezone": current.timezone,
        "office_hours": current.office_hours, "friday_hours": current.friday_hours,
        "hours_from": [{"effective_from": start, "office_hours": office, "friday_hours": friday}
                       for start, office, friday in current.hours_from],
        "cuti_bersama": [declared[day] for day in sorted(declared)],
        "public_holidays": [{"day": day.isoformat(), "name": name,
                             "name_id": public_holiday(day, "id") or name}
                            for day, name in public_holidays(year)],
        "year": year,
        "history": history_rows(book.changes),
    }
