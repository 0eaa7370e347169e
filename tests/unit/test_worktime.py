"""Working time in WITA: weekends, public holidays, cuti bersama, office hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from orchestrator.worktime import Calendar, Duration, parse_duration

WITA = ZoneInfo("Asia/Makassar")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WITA)


@pytest.mark.parametrize("text, expected", [
    ("15 menit", Duration(minutes=15)), ("2 Jam", Duration(minutes=120)),
    ("1 hari", Duration(days=1)), ("5 Hari Kerja", Duration(days=5)),
    ("Berkala", None), (None, None), ("1,5 jam", Duration(minutes=90)),
    ("paling lama 3 (tiga) hari kerja", Duration(days=3)), ("2 (dua) jam.", Duration(minutes=120)),
    ("1 Bulan", Duration(months=1)), ("60 s.d. 120 Menit", Duration(minutes=120)),
    ("Minimal 2 minggu sekali", None),
])
def test_parse_duration(text: str | None, expected: Duration | None) -> None:
    assert parse_duration(text) == expected


def test_one_day_from_friday_afternoon_skips_weekend_and_holiday() -> None:
    # Friday 2025-12-19 15:00; Monday 22nd is a working day; with cuti bersama on the 22nd
    # and Christmas on Thursday 25th it still lands on Tuesday 23rd, 15:00.
    calendar = Calendar(cuti_bersama=("2025-12-22",))
    assert calendar.add(at("2025-12-19T15:00"), Duration(days=1)) == at("2025-12-23T15:00")
    # Christmas (Thursday 25th) is a national holiday: Wednesday + 1 day = Friday 26th,
    # unless the 26th is declared cuti bersama, then Monday 29th
    assert Calendar().add(at("2025-12-24T15:00"), Duration(days=1)) == at("2025-12-26T15:00")
    with_cuti = Calendar(cuti_bersama=("2025-12-26",))
    assert with_cuti.add(at("2025-12-24T15:00"), Duration(days=1)) == at("2025-12-29T15:00")


def test_national_holiday_is_not_a_working_day() -> None:
    calendar = Calendar()
    assert not calendar.is_working_day(at("2025-08-17T10:00").date())  # Hari Kemerdekaan
    assert calendar.is_working_day(at("2025-08-19T10:00").date())  # an ordinary Tuesday


def test_minutes_carry_over_the_end_of_office_hours() -> None:
    calendar = Calendar()
    # Thursday 15:50 + 30 working minutes: 10 today (to 16:00), 20 on Friday from 08:00
    assert calendar.add(at("2025-11-20T15:50"), Duration(minutes=30)) == at("2025-11-21T08:20")
    # Friday closes at 16:30
    assert calendar.add(at("2025-11-21T16:10"), Duration(minutes=15)) == at("2025-11-21T16:25")
    # after hours: work starts next opening
    assert calendar.add(at("2025-11-21T18:00"), Duration(minutes=15)) == at("2025-11-24T08:15")


def test_working_minutes_between() -> None:
    calendar = Calendar()
    assert calendar.working_minutes(at("2025-11-20T15:00"), at("2025-11-21T09:00")) == 120


def test_months_are_calendar_months_ending_on_a_working_day() -> None:
    calendar = Calendar()
    month = Duration(months=1)
    assert calendar.add(at("2025-12-15T09:30"), month) == at("2026-01-15T09:30")
    # 17 August is Hari Kemerdekaan (a Sunday in 2025): 17 July + 1 month → Monday 18 August
    assert calendar.add(at("2025-07-17T09:30"), month) == at("2025-08-18T09:30")
    # started after hours: counted from the next opening, then a month on
    assert calendar.add(at("2025-11-27T18:00"), month) == at("2025-12-29T08:00")
