"""Working time in WITA: office hours, weekends, Indonesian public holidays and cuti bersama.

Pure functions over aware datetimes. "N hari" in the decree means N working days: the due moment
is the same office clock time N working days later. Minutes and hours count only office time.
"N bulan" is a calendar month, not a count of working days: the due moment is the same date N
months later (the month's last day when it has no such date: 31 January + 1 bulan = 28/29
February), at the same clock time, moved to the next working day when that date is not one.
A range ("60 s.d. 120 Menit") gives its upper bound: the step is late only after the longest
time the decree allows.
"""

from __future__ import annotations

import calendar as gregorian
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

# "15 menit", "2 jam", "3 (tiga) hari kerja", "60 s.d. 120 Menit": a number (or a range), an
# optional spelled-out echo, a unit
_DURATION = re.compile(
    r"(\d+(?:[.,]\d+)?)(?:\s*(?:s\.?\s*d\.?|sampai(?: dengan)?|-)\s*(\d+(?:[.,]\d+)?))?"
    r"\s*(?:\([^)]*\)\s*)?(menit|jam|hari|bulan)", re.IGNORECASE)
_UNITS = {"menit": "minutes", "jam": "hours", "hari": "days", "bulan": "months"}


@dataclass(frozen=True)
class Duration:
    """A duration as the decree writes it: working minutes, working days or calendar months."""

    minutes: int = 0
    days: int = 0
    months: int = 0

    def times(self, count: int) -> Duration:
        """``count`` times this duration (a step that takes so long per record)."""
        return Duration(self.minutes * count, self.days * count, self.months * count)


@lru_cache(maxsize=1024)
def parse_duration(text: str | None) -> Duration | None:
    """'15 menit' → 15 minutes, '2 jam' → 120 minutes, '1 hari' → 1 day, '1 Bulan' → 1 month,
    '60 s.d. 120 Menit' → 120 minutes; None if unparsable."""
    if not text:
        return None
    match = _DURATION.search(text)
    if not match:
        return None
    amount = float((match.group(2) or match.group(1)).replace(",", "."))
    unit = _UNITS[match.group(3).lower()]
    if unit == "days":
        return Duration(days=max(1, round(amount)))
    if unit == "months":
        return Duration(months=max(1, round(amount)))
    return Duration(minutes=round(amount * (60 if unit == "hours" else 1)))


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


class Calendars(Protocol):
    """What due times are computed with: the calendar as recorded at a moment (a fixed
    ``Calendar`` answers itself; orchestrator/office_calendar.py keeps the changes)."""

    def at(self, moment: datetime) -> Calendar: ...


@lru_cache(maxsize=64)
def _public_holidays(year: int, language: str = "en_US") -> holidays.HolidayBase:
    return holidays.country_holidays("ID", years=year, language=language)


def public_holiday(day: date, language: str = "en_US") -> str | None:
    """The name of the national holiday on ``day`` (``holidays``; ``language`` "id" for
    Bahasa Indonesia), or None."""
    return _public_holidays(day.year, language).get(day)


def public_holidays(year: int, language: str = "en_US") -> list[tuple[date, str]]:
    """The national holidays of ``year``, in date order."""
    return sorted(_public_holidays(year, language).items())


@dataclass(frozen=True)
class Calendar:
    """Office calendar: ``office_hours`` Monday–Thursday, ``friday_hours`` on Friday; from
    each ``hours_from`` entry's date (ISO) on, that entry's hours instead (sorted by date)."""

    timezone: str = "Asia/Makassar"
    office_hours: str = "08:00-16:00"
    friday_hours: str = "08:00-16:30"
    cuti_bersama: tuple[str, ...] = ()
    hours_from: tuple[tuple[str, str, str], ...] = ()  # (effective_from, office, friday)
    _holidays: dict = field(default_factory=dict, init=False, compare=False, repr=False)
    _working: dict = field(default_factory=dict, init=False, compare=False,
                           repr=False)  # date → bool
    _days_after: dict = field(default_factory=dict, init=False, compare=False,
                              repr=False)  # (date, working days) → date

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def at(self, moment: datetime) -> Calendar:
        """A fixed calendar is the same at every moment (see office_calendar.CalendarBook)."""
        return self

    def is_working_day(self, day: date) -> bool:
        working = self._working.get(day)  # projections ask for the same days again and again
        if working is None:
            working = self._working[day] = self._is_working_day(day)
        return working

    def _is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day.isoformat() in self.cuti_bersama:
            return False
        year = self._holidays.get(day.year)
        if year is None:
            year = self._holidays[day.year] = _public_holidays(day.year)
        return day not in year

    @cached_property
    def _clocks(self) -> list[tuple[date, dict[bool, tuple[time, time]]]]:
        """Opening and closing time by "is it a Friday", per period (the first from always)."""
        periods = [("0001-01-01", self.office_hours, self.friday_hours), *self.hours_from]
        return [(date.fromisoformat(start),
                 {friday: tuple(_hhmm(p) for p in spec.split("-"))  # type: ignore[misc]
                  for friday, spec in ((False, office), (True, friday))})
                for start, office, friday in periods]

    def _clock(self, day: date) -> dict[bool, tuple[time, time]]:
        clocks = self._clocks
        if len(clocks) == 1:
            return clocks[0][1]
        return next(clock for start, clock in reversed(clocks) if start <= day)

    def hours_on(self, day: date) -> tuple[str, str]:
        """The office hours and the Friday hours that hold on ``day``."""
        periods = [("0001-01-01", self.office_hours, self.friday_hours), *self.hours_from]
        _, office, friday = next(p for p in reversed(periods) if p[0] <= day.isoformat())
        return office, friday

    def hours(self, day: date) -> tuple[datetime, datetime]:
        opens, closes = self._clock(day)[day.weekday() == 4]
        return (
            datetime.combine(day, opens, tzinfo=self.tz),
            datetime.combine(day, closes, tzinfo=self.tz),
        )

    def next_open(self, moment: datetime) -> datetime:
        """The first working moment at or after ``moment`` (in WITA)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        while True:
            if self.is_working_day(day):
                opens, closes = self.hours(day)
                if local < closes:
                    return max(local, opens)
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), tzinfo=self.tz)

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The due moment of work that starts at ``start`` and takes ``duration``."""
        moment = self.next_open(start)
        if duration.months:
            return self._add_months(moment, duration.months)
        if duration.days:
            return self._add_days(moment, duration.days)
        remaining = timedelta(minutes=duration.minutes)
        while True:
            _, closes = self.hours(moment.date())
            if moment + remaining <= closes:
                return moment + remaining
            remaining -= closes - moment
            moment = self.next_open(closes)

    def _add_days(self, moment: datetime, days: int) -> datetime:
        day = self._day_after(moment.date(), days)
        opens, closes = self.hours(day)
        due = datetime.combine(day, moment.timetz())
        return min(max(due, opens), closes)

    def _day_after(self, start: date, days: int) -> date:
        """The working day ``days`` working days after ``start`` (a projection asks it for the
        same few start days thousands of times: the answer is kept)."""
        found = self._days_after.get((start, days))
        if found is None:
            day = start
            for _ in range(days):
                day += timedelta(days=1)
                while not self.is_working_day(day):
                    day += timedelta(days=1)
            found = self._days_after[start, days] = day
        return found

    def _add_months(self, moment: datetime, months: int) -> datetime:
        month = moment.month - 1 + months
        year, month = moment.year + month // 12, month % 12 + 1
        day = date(year, month, min(moment.day, gregorian.monthrange(year, month)[1]))
        while not self.is_working_day(day):
            day += timedelta(days=1)
        opens, closes = self.hours(day)
        return min(max(datetime.combine(day, moment.timetz()), opens), closes)

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Office minutes between two moments (for cycle times)."""
        total = timedelta()
        moment = self.next_open(start)
        while moment < end:
            _, closes = self.hours(moment.date())
            total += min(closes, end) - moment
            moment = self.next_open(closes)
        return int(total.total_seconds() // 60)
