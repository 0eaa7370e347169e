"""Working time in WITA: office hours, weekends, Indonesian public holidays and cuti bersama.

Pure functions over aware datetimes. "N hari" in the decree means N working days: the due moment
is the same office clock time N working days later. Minutes and hours count only office time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays

# "15 menit", "2 jam", "3 (tiga) hari kerja": a number, an optional spelled-out echo, a unit
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:\([^)]*\)\s*)?(menit|jam|hari)", re.IGNORECASE)
_UNITS = {"menit": "minutes", "jam": "hours", "hari": "days"}


@dataclass(frozen=True)
class Duration:
    """A duration as the decree writes it, normalised to working minutes or working days."""

    minutes: int = 0
    days: int = 0


@lru_cache(maxsize=1024)
def parse_duration(text: str | None) -> Duration | None:
    """'15 menit' → 15 minutes, '2 jam' → 120 minutes, '1 hari' → 1 day; None if unparsable."""
    if not text:
        return None
    match = _DURATION.search(text)
    if not match:
        return None
    amount = float(match.group(1).replace(",", "."))
    unit = _UNITS[match.group(2).lower()]
    if unit == "days":
        return Duration(days=max(1, round(amount)))
    return Duration(minutes=round(amount * (60 if unit == "hours" else 1)))


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class Calendar:
    """Office calendar: ``office_hours`` Monday–Thursday, ``friday_hours`` on Friday."""

    timezone: str = "Asia/Makassar"
    office_hours: str = "08:00-16:00"
    friday_hours: str = "08:00-16:30"
    cuti_bersama: tuple[str, ...] = ()
    _holidays: dict = field(default_factory=dict, compare=False, repr=False)
    _working: dict = field(default_factory=dict, compare=False, repr=False)  # date → bool

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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
            year = self._holidays[day.year] = holidays.country_holidays("ID", years=day.year)
        return day not in year

    @cached_property
    def _clock(self) -> dict[bool, tuple[time, time]]:
        """Opening and closing time, by "is it a Friday"."""
        return {friday: tuple(_hhmm(p) for p in spec.split("-"))  # type: ignore[misc]
                for friday, spec in ((False, self.office_hours), (True, self.friday_hours))}

    def hours(self, day: date) -> tuple[datetime, datetime]:
        opens, closes = self._clock[day.weekday() == 4]
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
        day = moment.date()
        for _ in range(days):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        opens, closes = self.hours(day)
        due = datetime.combine(day, moment.timetz())
        return min(max(due, opens), closes)

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Office minutes between two moments (for cycle times)."""
        total = timedelta()
        moment = self.next_open(start)
        while moment < end:
            _, closes = self.hours(moment.date())
            total += min(closes, end) - moment
            moment = self.next_open(closes)
        return int(total.total_seconds() // 60)
