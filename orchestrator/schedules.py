"""Recurring work: processes the decree starts on a calendar, each occurrence exactly once.

``processes/schedules.yaml`` declares them (SOP 9.11 and 9.12 "pada setiap akhir bulan": the
last working day of each month; SOP 9.20's monthly progress data: the first working day of each
month; ``daily``: every working day). Days are WITA working days of the office calendar
(weekends, national holidays, cuti bersama). An occurrence is due from its moment until its
period ends (the day, or the month): a scheduler that was down at the moment starts it when it
comes back within the period; a period that passed entirely is not started late.

Each occurrence has a deterministic id (uuid5 of schedule and period) as the originator id of a
small ``ScheduledStart`` aggregate saved in the same transaction as the case it starts: a second
start of the same occurrence (two schedulers, a restart mid-start) is a version conflict in the
event store, on both stores, and starts nothing.
"""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate
from orchestrator.worktime import Calendar
from orchestrator.yaml_files import load_yaml

DAILY, MONTH_END, MONTH_START = "daily", "month_end", "month_start"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


def occurrence_id(schedule: str, period: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:schedule:{schedule}:{period}")


class ScheduledStart(ChainedAggregate):
    """One occurrence of a schedule, started: the case it started."""

    @staticmethod
    def create_id(schedule: str, period: str, **_: object) -> UUID:
        return occurrence_id(schedule, period)

    @event("Started")
    def __init__(self, schedule: str, period: str, process: str, case_id: str,
                 due_at: str) -> None:
        self.schedule = schedule
        self.period = period
        self.process = process
        self.case_id = case_id
        self.due_at = due_at


@dataclass(frozen=True)
class Occurrence:
    schedule: str
    period: str  # "2026-11" (a month) or "2026-11-30" (a day)
    due_at: datetime  # aware, WITA
    ends_at: datetime  # the period's end: not started after it

    @property
    def id(self) -> UUID:
        return occurrence_id(self.schedule, self.period)


@dataclass(frozen=True)
class Schedule:
    key: str
    process: str
    every: str  # DAILY, MONTH_END or MONTH_START
    at: str  # "HH:MM" office clock time (WITA)
    role: str  # the starter role the scheduler starts the case in
    data: dict[str, Any] = field(default_factory=dict)  # start data; "{bulan}" … filled in
    enabled: bool = True
    reason: str = ""  # why it is declared but disabled
    decree: str = ""  # the decree's words it follows

    def occurrence(self, now: datetime, cal: Calendar) -> Occurrence | None:
        """The occurrence whose period contains ``now`` and whose moment has come."""
        local = now.astimezone(cal.tz)
        hour, minute = (int(p) for p in self.at.split(":"))
        clock = time(hour, minute)
        if self.every == DAILY:
            day = local.date()
            if not cal.is_working_day(day):
                return None
            ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=cal.tz)
            period = day.isoformat()
        else:
            last = gregorian.monthrange(local.year, local.month)[1]
            days = [date(local.year, local.month, d) for d in range(1, last + 1)]
            working = [d for d in days if cal.is_working_day(d)]
            if not working:
                return None
            day = working[-1] if self.every == MONTH_END else working[0]
            first_next = date(local.year + local.month // 12, local.month % 12 + 1, 1)
            ends = datetime.combine(first_next, time(0), tzinfo=cal.tz)
            period = f"{local.year:04d}-{local.month:02d}"
        due = datetime.combine(day, clock, tzinfo=cal.tz)
        if not due <= local < ends:
            return None
        return Occurrence(self.key, period, due, ends)

    def start_data(self, occurrence: Occurrence) -> dict[str, Any]:
        """The declared start data with ``{bulan}``, ``{bulan_nama}``, ``{tahun}``,
        ``{tanggal}`` and ``{periode}`` filled in (a value that is exactly ``{tahun}``
        becomes the integer)."""
        due = occurrence.due_at
        values = {"bulan": f"{due.month:02d}", "bulan_nama": MONTHS[due.month - 1],
                  "tahun": str(due.year), "tanggal": due.date().isoformat(),
                  "periode": occurrence.period}
        data: dict[str, Any] = {}
        for name, value in self.data.items():
            if value == "{tahun}":
                data[name] = due.year
            elif isinstance(value, str):
                data[name] = value.format(**values)
            else:
                data[name] = value
        return data


def load_schedules(path: Path) -> list[Schedule]:
    """The schedules declared in ``path`` (none when the file does not exist)."""
    if not path.exists():
        return []
    raw = load_yaml(path) or {}
    schedules = []
    for item in raw.get("schedules") or []:
        every = item["every"]
        if every not in (DAILY, MONTH_END, MONTH_START):
            raise ValueError(f"schedule {item['key']}: every must be daily, month_end or "
                             f"month_start, not {every!r}")
        schedules.append(Schedule(
            key=item["key"], process=item["process"], every=every, at=item.get("at", "08:00"),
            role=item["role"], data=dict(item.get("data") or {}),
            enabled=bool(item.get("enabled", True)), reason=item.get("reason", ""),
            decree=item.get("decree", "")))
    return schedules
