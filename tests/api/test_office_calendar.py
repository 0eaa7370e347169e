"""The office calendar as events, on both stores: an administrator declares a cuti bersama
(with its decree) and due times computed after it skip the day while those computed before
stay as they were, in the API and in the worklist, rebuilt or not; office hours change from a
date on; anyone else is refused; bad input is answered with what is wrong and nothing is
written; the configuration is only the seed."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alur.bootstrap import Services, bootstrap
from alur.config import Config
from orchestrator.commands import Actor, ChangeOfficeHours
from orchestrator.worktime import Calendar, Duration, public_holiday
from tests.conftest import Api

WITA = ZoneInfo("Asia/Makassar")
TODAY = datetime.now(WITA).date()
ADMIN = Actor("administrator", frozenset({"administrator"}))
DECREE = "SKB 3 Menteri Nomor 1001 Tahun 2026"


def working_days_from(day: date, calendar: Calendar | None = None) -> list[date]:
    calendar = calendar or Calendar()
    return [d for d in (day + timedelta(days=n) for n in range(1, 40))
            if calendar.is_working_day(d)]


def declare(api: Api, day: date | str, user: str = "administrator", **extra: str) -> Any:
    return api.post("/calendar/cuti-bersama", user, json={
        "day": str(day), "reason": "Cuti bersama Natal", "decree": DECREE, **extra})


def complaint(api: Api) -> dict[str, Any]:
    """A complaint (SOP 9.3): 14 working days of service time from now."""
    created = api.start("sop_9_3", "admin")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["deadline"]["working_days"] == 14
    return body


def deadline_rows(services: Services) -> dict[str, str]:
    services.projections.catch_up()
    rows = services.inbox.view.rows("SELECT case_id, deadline_at FROM inbox_cases")
    return {row["case_id"]: row["deadline_at"] for row in rows}


def test_a_cuti_bersama_moves_due_times_computed_after_it_and_not_before(
        api: Api, services: Services) -> None:
    before = complaint(api)
    due_before = before["deadline"]["due_at"]
    cuti = working_days_from(TODAY)[1]  # inside every 14-working-day window begun today
    made = declare(api, cuti)
    assert made.status_code == 201, made.get_json()
    shown = made.get_json()
    assert [c["day"] for c in shown["cuti_bersama"]] == [cuti.isoformat()]
    assert shown["cuti_bersama"][0]["decree"] == DECREE
    assert shown["cuti_bersama"][0]["by"] == "administrator"

    after = complaint(api)
    start = datetime.fromisoformat(after["deadline"]["started_at"])
    skipping = Calendar(cuti_bersama=(cuti.isoformat(),)).add(start, Duration(days=14))
    assert datetime.fromisoformat(after["deadline"]["due_at"]) == skipping
    assert skipping > Calendar().add(start, Duration(days=14))  # one working day later
    # the case begun before keeps the due time computed then, in the API and the worklist
    again = api.get(f"/cases/{before['id']}", "admin").get_json()
    assert again["deadline"]["due_at"] == due_before
    rows = deadline_rows(services)
    assert datetime.fromisoformat(rows[before["id"]]) == datetime.fromisoformat(due_before)
    assert datetime.fromisoformat(rows[after["id"]]) == skipping
    services.projections.rebuild("inbox")  # and a rebuild computes each one again as it was
    assert deadline_rows(services) == rows

    history = api.get("/calendar", "ketua").get_json()["history"]
    assert [h["event"] for h in history] == ["Opened", "CutiBersamaDeclared"]
    assert (history[1]["day"], history[1]["by"], history[1]["decree"]) == (
        cuti.isoformat(), "administrator", DECREE)

    withdrawn = api.post(f"/calendar/cuti-bersama/{cuti}/withdraw", "administrator",
                         json={"reason": "SKB direvisi"})
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert withdrawn.get_json()["cuti_bersama"] == []
    third = complaint(api)
    start = datetime.fromisoformat(third["deadline"]["started_at"])
    assert datetime.fromisoformat(third["deadline"]["due_at"]) == \
        Calendar().add(start, Duration(days=14))


def test_only_an_administrator_changes_the_calendar(api: Api) -> None:
    cuti = working_days_from(TODAY)[3]
    for user in ("ketua", "sekretaris", "inspektur"):
        refused = declare(api, cuti, user)
        assert refused.status_code == 403, (user, refused.get_json())
    hours = api.client.put("/api/v1/calendar/office-hours", headers=api.login("ketua"), json={
        "effective_from": str(cuti), "office_hours": "07:30-16:00",
        "friday_hours": "07:30-11:30", "reason": "Ramadan"})
    assert hours.status_code == 403
    shown = api.get("/calendar", "ketua").get_json()
    assert shown["cuti_bersama"] == [] and shown["history"] == []


def test_bad_input_is_answered_with_what_is_wrong_and_nothing_is_written(api: Api) -> None:
    saturday = next(TODAY + timedelta(days=n) for n in range(1, 8)
                    if (TODAY + timedelta(days=n)).weekday() == 5)
    holiday = next(d for d in (TODAY + timedelta(days=n) for n in range(1, 400))
                   if d.weekday() < 5 and public_holiday(d))
    cases = [
        (declare(api, "2026-13-01"), 422, "Not a valid date"),
        (declare(api, saturday), 422, "Saturday"),
        (declare(api, holiday), 422, f"already a public holiday ({public_holiday(holiday)})"),
        (declare(api, TODAY - timedelta(days=1)), 422, "in the past"),
        (declare(api, working_days_from(TODAY)[0], reason=""), 422, "reason"),
        (api.post(f"/calendar/cuti-bersama/{working_days_from(TODAY)[0]}/withdraw",
                  "administrator", json={"reason": "x"}), 404, "is not a cuti bersama"),
        (api.post("/calendar/cuti-bersama/kemarin/withdraw", "administrator",
                  json={"reason": "x"}), 422, "not a date"),
    ]
    put = api.client.put
    headers = api.login("administrator")
    body = {"effective_from": str(TODAY + timedelta(days=1)), "office_hours": "17:00-08:00",
            "friday_hours": "08:00-16:30", "reason": "Uji"}
    cases += [
        (put("/api/v1/calendar/office-hours", headers=headers, json=body), 422,
         "closing time must be after opening time"),
        (put("/api/v1/calendar/office-hours", headers=headers,
             json={**body, "office_hours": "8-16"}), 422, "HH:MM-HH:MM"),
        (put("/api/v1/calendar/office-hours", headers=headers,
             json={**body, "office_hours": "08:00-16:00",
                   "effective_from": str(TODAY - timedelta(days=1))}), 422, "past"),
        (put("/api/v1/calendar/office-hours", headers=headers,
             json={**body, "office_hours": "08:00-16:00"}), 409, "already"),
    ]
    for response, status, text in cases:
        assert response.status_code == status, response.get_json()
        assert text in str(response.get_json()), response.get_json()
    assert api.get("/calendar", "administrator").get_json()["history"] == []

    cuti = working_days_from(TODAY)[2]
    assert declare(api, cuti).status_code == 201
    duplicate = declare(api, cuti)
    assert duplicate.status_code == 409
    assert "already a cuti bersama" in str(duplicate.get_json())
    assert len(api.get("/calendar", "administrator").get_json()["history"]) == 2


def test_office_hours_change_from_their_date_and_past_days_keep_theirs(
        api: Api, services: Services) -> None:
    tomorrow = working_days_from(TODAY)[0]
    before = datetime.now(WITA)
    changed = api.client.put("/api/v1/calendar/office-hours",
                             headers=api.login("administrator"), json={
                                 "effective_from": str(tomorrow), "office_hours": "07:30-15:00",
                                 "friday_hours": "07:30-11:30", "reason": "Jam kerja Ramadan",
                                 "decree": "SE Sekjen KPU Nomor 5 Tahun 2026"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["hours_from"] == [{
        "effective_from": str(tomorrow), "office_hours": "07:30-15:00",
        "friday_hours": "07:30-11:30"}]
    now = services.calendar.now()
    opens, closes = now.hours(tomorrow)
    friday = tomorrow.weekday() == 4
    assert (opens.strftime("%H:%M"), closes.strftime("%H:%M")) == \
        ("07:30", "11:30" if friday else "15:00")
    assert now.hours(TODAY) == Calendar().hours(TODAY)  # today keeps its hours
    assert services.calendar.at(before).hours(tomorrow) == Calendar().hours(tomorrow)
    # a minute of work begun after the change, on that day, counts from its opening
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=WITA)
    assert services.calendar.add(start, Duration(minutes=30)) == opens + timedelta(minutes=30)


def test_the_configuration_only_seeds_the_calendar(services: Services, config: Config) -> None:
    cuti = working_days_from(TODAY)[4]
    seeded = dataclasses.replace(config, cuti_bersama=(cuti.isoformat(),))
    first = bootstrap(seeded)
    try:
        assert not first.calendar.now().is_working_day(cuti)  # no stream yet: the seed
        first.orchestrator.change_office_hours(ChangeOfficeHours(
            ADMIN, TODAY + timedelta(days=1), "08:00-15:30", "08:00-16:30", "SE Sekjen"))
        (opened, _) = first.orchestrator.calendar_history()
        assert opened["cuti_bersama"] == [cuti.isoformat()] and opened["by"] == "administrator"
    finally:
        first.close()
    later = bootstrap(config)  # configured without it now: the stream holds the calendar
    try:
        assert not later.calendar.now().is_working_day(cuti)
        assert later.calendar.now().hours_on(TODAY + timedelta(days=1))[0] == "08:00-15:30"
    finally:
        later.close()


def test_the_command_line_goes_through_the_same_command_and_policy(
        services: Services, config: Config, capsys: Any) -> None:
    from alur.cli import main

    cuti = working_days_from(TODAY)[5]
    args = ["calendar", "declare", cuti.isoformat(), "--reason", "Cuti bersama",
            "--decree", DECREE]
    assert main([*args, "--as", "ketua"], config=config) == 2
    assert "may not change the office calendar" in capsys.readouterr().err
    assert main([*args, "--as", "administrator"], config=config) == 0
    assert cuti.isoformat() in capsys.readouterr().out
    assert main([*args, "--as", "administrator"], config=config) == 2  # a duplicate
    assert "already a cuti bersama" in capsys.readouterr().err
    assert main(["calendar", "hours", "--from", str(TODAY + timedelta(days=1)), "--office",
                 "17:00-08:00", "--friday", "08:00-16:30", "--reason", "Uji", "--as",
                 "administrator"], config=config) == 2
    assert "closing time must be after opening time" in capsys.readouterr().err
    current = services.calendar.current_state()  # another process's book reads the stream
    assert cuti.isoformat() in current.cuti_bersama
    (_, declared) = services.orchestrator.calendar_history()
    assert (declared["by"], declared["decree"]) == ("administrator", DECREE)
