"""Timer due moments (calendar and WITA working time, bounds), escalation targets per unit,
and the occurrences of recurring work."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orchestrator.engine import timers
from orchestrator.roles import RoleRegistry
from orchestrator.schedules import DAILY, MONTH_END, MONTH_START, Schedule, load_schedules
from orchestrator.worktime import Calendar

WITA = ZoneInfo("Asia/Makassar")
CAL = Calendar()
ROOT = Path(__file__).resolve().parents[2] / "processes"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WITA)


@pytest.mark.parametrize("value, working, start, due", [
    ("PT2H", False, "2026-12-04T15:00", "2026-12-04T17:00"),  # calendar time
    ("PT2H", True, "2026-12-04T15:00", "2026-12-07T08:30"),  # Friday closes 16:30
    ("P1D", True, "2026-12-04T10:00", "2026-12-07T10:00"),  # Friday + 1 working day = Monday
    ("P1D", False, "2026-12-04T10:00", "2026-12-05T10:00"),
    ("P1W", True, "2026-12-01T09:00", "2026-12-08T09:00"),  # 5 working days
    ("P1M", True, "2026-08-31T09:00", "2026-09-30T09:00"),  # no 31 September
    ("P1M", True, "2026-01-30T09:00", "2026-03-02T09:00"),  # 28 Feb 2026: a Saturday
    ("P1DT1H", True, "2026-12-03T15:30", "2026-12-04T16:30"),  # Friday till 16:30
])
def test_due_moments(value: str, working: bool, start: str, due: str) -> None:
    assert timers.due_at(timers.DURATION, value, working, at(start), CAL) == at(due)


def test_a_date_timer_is_due_at_its_date_in_wita() -> None:
    due = timers.due_at(timers.DATE, "2026-12-10T09:00:00", False, at("2026-12-01T08:00"), CAL)
    assert due == at("2026-12-10T09:00") and due.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("kind, value, message", [
    (timers.DURATION, "P99999Y", "longer than 5 years"),
    (timers.DURATION, "P6Y", "longer than 5 years"),
    (timers.DURATION, "PT999999H", "longer than 5 years"),
    (timers.DURATION, "3 hari", "not an ISO 8601 duration"),
    (timers.DURATION, "P", "empty or negative"),
    (timers.DATE, "9999-12-31T00:00:00", "more than 5 years ahead"),
    (timers.DATE, "besok", "not an ISO 8601 date"),
])
def test_absurd_timers_are_refused(kind: str, value: str, message: str) -> None:
    with pytest.raises(timers.TimerError, match=message):
        timers.check(kind, value, at("2026-12-01T08:00"))


def test_only_quoted_literals_are_read_as_constants() -> None:
    assert timers.literal('"PT2H"') == "PT2H" and timers.literal("'P3D'") == "P3D"
    assert timers.literal("batas_waktu") is None and timers.literal('"a"b"') is None


def test_supervisors_by_unit() -> None:
    roles = RoleRegistry.load(ROOT / "roles.yaml")
    assert roles.supervisor("staf_tpph") == ("kasubbag_tpph",
                                             "Subbagian Teknis Penyelenggaraan Pemilu dan Hukum")
    assert roles.supervisor("kasubbag_kul") == ("sekretaris", "Sekretariat")  # the one above
    assert roles.supervisor("admin") == ("sekretaris", "Sekretariat")
    assert roles.supervisor("sekretaris") == ("ketua", "Komisioner KPU Kota Bontang")
    assert roles.supervisor("pelapor") == ("sekretaris", "Pihak luar")  # Keputusan 33/2025
    assert roles.supervisor("ketua") is None  # nobody above
    units = {r.unit for r in roles.roles.values()}
    assert units <= set(roles.units) | {"Sekretariat"}, units - set(roles.units)


def schedule(every: str, at_: str = "08:00") -> Schedule:
    return Schedule("uji", "sop_9_11", every, at_, "kasubbag_parmas_sdm",
                    {"perihal": "Tunjangan {bulan_nama} {tahun}", "bulan": "{bulan}",
                     "tahun": "{tahun}"})


def test_month_end_is_the_last_working_day_in_wita() -> None:
    month_end = schedule(MONTH_END)
    # 31 Jan 2026 is a Saturday: the month ends on Friday the 30th
    assert month_end.occurrence(at("2026-01-29T09:00"), CAL) is None
    assert month_end.occurrence(at("2026-01-30T07:59"), CAL) is None  # before its hour
    occurrence = month_end.occurrence(at("2026-01-30T08:00"), CAL)
    assert occurrence is not None and occurrence.period == "2026-01"
    assert occurrence.due_at == at("2026-01-30T08:00")
    # a scheduler down at the moment starts it later in the period (a Saturday too) ...
    assert month_end.occurrence(at("2026-01-31T20:00"), CAL) == occurrence
    # ... but never in the next month
    assert month_end.occurrence(at("2026-02-02T09:00"), CAL) is None
    assert month_end.start_data(occurrence) == {
        "perihal": "Tunjangan Januari 2026", "bulan": "01", "tahun": 2026}
    cuti = Calendar(cuti_bersama=("2026-01-30",))  # collective leave: the 29th is the last
    moved = schedule(MONTH_END).occurrence(at("2026-01-29T09:00"), cuti)
    assert moved is not None and moved.due_at == at("2026-01-29T08:00")


def test_month_start_and_daily() -> None:
    first = schedule(MONTH_START).occurrence(at("2026-02-10T09:00"), CAL)
    assert first is not None and first.due_at.date() == date(2026, 2, 2)  # 1 Feb: a Sunday
    daily = schedule(DAILY, "07:30")
    assert daily.occurrence(at("2026-12-05T09:00"), CAL) is None  # a Saturday
    today = daily.occurrence(at("2026-12-04T09:00"), CAL)
    assert today is not None and today.period == "2026-12-04"
    assert today.id != daily.occurrence(at("2026-12-07T09:00"), CAL).id


def test_the_shipped_schedules_start_valid_cases() -> None:
    from orchestrator.engine import load_model
    from orchestrator.forms import validate_form

    roles = RoleRegistry.load(ROOT / "roles.yaml")
    shipped = {s.key: s for s in load_schedules(ROOT / "schedules.yaml")}
    assert {s.process for s in shipped.values()} == {"sop_9_11", "sop_9_12", "sop_9_16",
                                                     "sop_9_20"}
    assert not shipped["pengamanan_harian"].enabled and shipped["pengamanan_harian"].reason
    for item in shipped.values():
        files = {"sop_9_11": "sop-9.11", "sop_9_12": "sop-9.12", "sop_9_16": "sop-9.16",
                 "sop_9_20": "sop-9.20"}
        model = load_model(item.process, (ROOT / "bpmn" / f"{files[item.process]}.bpmn")
                           .read_bytes(), roles)
        assert item.role in model.starters
        occurrence = item.occurrence(at("2026-12-31T09:00"), CAL)
        assert occurrence is not None, item.key
        validate_form(model.start_form, item.start_data(occurrence))
