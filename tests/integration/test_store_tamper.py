"""Tamper evidence for every stream kind on the real stores: a stored event of a process
definition, user, registration counter, directory, ticket, access log or case changed by raw
SQL is found by ``alur audit verify`` (the whole store), which names its kind, id, name and
seq; legacy streams (stored before their kind was chained) are told apart from broken ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from alur.bootstrap import SYSTEM, Services, bootstrap, deploy_all
from alur.cli import main
from alur.config import Config
from orchestrator.access import access_log_id
from orchestrator.audit import Auditor
from orchestrator.commands import Actor, DeployProcess, StartCase
from orchestrator.definitions import definition_id, directory_id
from orchestrator.registration import counter_id
from orchestrator.tickets import PublicTicket, ticket_id
from orchestrator.users import User, user_id
from tests.integration.rawstore import RawStore
from tests.integration.test_chain_verification import walked_case
from tests.starts import wbs_start

BPMN = Path(__file__).resolve().parents[2] / "processes" / "bpmn"
INSPECTOR = Actor("inspektur", frozenset({"inspektur"}))
REPORTER = Actor("pelapor", frozenset({"pelapor"}))
Problem = tuple[str, str, int, str]  # kind, name, seq, problem


def problems(services: Services) -> list[Problem]:
    report = Auditor(services.orchestrator).verify_store()
    return [(f.kind, f.name, f.seq, f.problem) for f in report.problems()]


def edit_state(raw: RawStore, stream: UUID, version: int,
               change: Callable[[dict], None]) -> None:
    """Decode a stored event's JSON, change it, store it back (as someone who read our code)."""
    state = json.loads(raw.states(stream)[version])
    change(state)
    raw.set_state(stream, version, json.dumps(state, separators=(",", ":")).encode())


def registration(services: Services, case_id: UUID) -> str:
    return services.orchestrator.get_case(case_id).registration


def _case(services: Services, raw: RawStore) -> Problem:
    case_id = walked_case(services)
    raw.set_state(case_id, 4, raw.states(case_id)[4].replace(b"selesai 1", b"selesai 7"))
    return "case", registration(services, case_id), 4, "altered"


def _access_log(services: Services, raw: RawStore) -> Problem:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_5", wbs_start(uraian="Dugaan"), REPORTER)).case_id
    for _ in range(3):
        Auditor(app).record_read(app.get_case(case_id), INSPECTOR, "case")
    log = access_log_id(case_id)
    raw.set_state(log, 2, raw.states(log)[2].replace(b'"actor":"inspektur"', b'"actor":"tamu"'))
    return "access log", f"case {registration(services, case_id)}", 2, "altered"


def _process_definition(services: Services, raw: RawStore) -> Problem:
    bpmn = (BPMN / "sop-9.3.bpmn").read_bytes()
    changed = bpmn.replace(b'name="Sekretaris meneruskan', b'name="Sekretaris segera meneruskan')
    services.orchestrator.deploy(DeployProcess("sop_9_3", changed, SYSTEM))  # event 3
    stream = definition_id("sop_9_3")
    raw.set_state(stream, 2, raw.states(stream)[2].replace(b"Sekretaris meneruskan",
                                                           b"Sekretaris menahan"))
    return "process definition", "sop_9_3", 2, "altered"


def _user(services: Services, raw: RawStore) -> Problem:
    app = services.orchestrator
    user = app.find_user("sekretaris")
    assert user is not None
    user.revoke_tokens(actor="admin")  # event 2: the user's first event is no longer the head
    app.save_user(user)
    edit_state(raw, user_id("sekretaris"), 1,
               lambda state: state.update(roles=["administrator"]))
    return "user", "sekretaris", 1, "altered"


def _registration_counter(services: Services, raw: RawStore) -> Problem:
    for _ in range(3):
        walked_case(services, steps=0)
    year = datetime.now(ZoneInfo("Asia/Makassar")).year
    edit_state(raw, counter_id("pengaduan", year), 2, lambda state: state.update(number=9))
    return "registration counter", f"pengaduan {year}", 2, "altered"


def _directory(services: Services, raw: RawStore) -> Problem:
    edit_state(raw, directory_id("processes"), 2, lambda state: state.update(name="palsu"))
    return "directory", "processes", 2, "altered"


def _ticket(services: Services, raw: RawStore) -> Problem:
    """A ticket is one event, so a changed code hash breaks no link; made to look like a
    legacy (unchained) event, it is still found: nothing unchained is stored after chaining
    began."""
    app = services.orchestrator
    case_id = walked_case(services, steps=0)
    number = registration(services, case_id)
    ticket, _ = PublicTicket.issue(number, case_id, "pengaduan")
    app.save(ticket)

    def forge(state: dict) -> None:
        del state["prev_hash"]
        state["code_sha256"] = "f" * 64

    edit_state(raw, ticket_id(number), 1, forge)
    return "ticket", number, 1, "legacy-after-chained"


TAMPERS = [_case, _access_log, _process_definition, _user, _registration_counter, _directory,
           _ticket]


@pytest.mark.parametrize("tamper", TAMPERS, ids=[t.__name__.strip("_") for t in TAMPERS])
def test_a_changed_event_of_any_kind_is_found_and_named(
        services: Services, config: Config, tamper: Callable[[Services, RawStore], Problem],
        capsys: pytest.CaptureFixture) -> None:
    assert problems(services) == []
    expected = tamper(services, RawStore(config))
    found = problems(services)
    # a snapshot taken after the changed event no longer agrees with the events either
    assert found[0] == expected and all(p[0] == "snapshot" for p in found[1:])
    assert main(["audit", "verify"], config) == 1
    captured = capsys.readouterr()
    kind, name, seq, problem = expected
    assert f"BROKEN: {kind} {name} " in captured.out and f"event {seq} ({problem})" in \
        captured.out
    assert f"{len(found)} problem(s)" in captured.err


def test_a_clean_store_verifies_every_kind(services: Services, config: Config,
                                           capsys: pytest.CaptureFixture) -> None:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_5", wbs_start(uraian="Dugaan"), REPORTER)).case_id
    Auditor(app).record_read(app.get_case(case_id), INSPECTOR, "case")
    ticket, _ = PublicTicket.issue(registration(services, case_id), case_id, "wbs")
    app.save(ticket)
    report = Auditor(app).verify_store()
    assert report.ok and report.findings == []
    assert set(report.counts()) == {"case", "access log", "process definition", "user",
                                    "registration counter", "directory", "ticket", "snapshot"}
    assert main(["audit", "verify"], config) == 0
    out = capsys.readouterr().out
    assert "ticket: 1 verified, 0 broken" in out and "problem(s)" in out
    assert main(["audit", "verify", str(user_id("admin"))], config) == 0
    assert main(["audit", "verify", str(uuid4())], config) == 2
    assert "no case or other stream" in capsys.readouterr().err


def test_legacy_streams_load_verify_as_legacy_and_chain_on(config: Config) -> None:
    """A store written before users were chained: their events have no prev_hash."""
    services = bootstrap(config)
    try:
        app, raw = services.orchestrator, RawStore(config)
        app.register_user(User(username="lama", full_name="Pegawai Lama", roles=["admin"],
                               password_hash="x"))
        user = app.find_user("lama")
        assert user is not None
        user.set_roles(["admin", "sekretaris"], actor="admin")
        app.save_user(user)
        for stream, version in ((user_id("lama"), 1), (user_id("lama"), 2),
                                (directory_id("users"), 1), (directory_id("users"), 2)):
            edit_state(raw, stream, version, lambda state: state.pop("prev_hash"))
        deploy_all(services)  # the upgraded service chains from here on
        fresh = bootstrap(config)  # no cache: the legacy events themselves are loaded
        try:
            old = fresh.orchestrator.find_user("lama")
            assert old is not None and old.roles == ["admin", "sekretaris"]
            old.disable(actor="admin")  # the first chained event of the stream
            fresh.orchestrator.save_user(old)
            report = Auditor(fresh.orchestrator).verify_store()
            assert report.ok
            notes = {(f.kind, f.name, f.problem) for f in report.findings}
            assert notes == {("user", "lama", "legacy"), ("directory", "users", "legacy")}
            raw.set_state(user_id("lama"), 2, raw.states(user_id("lama"))[2].replace(
                b'"sekretaris"', b'"administrator"'))
            assert problems(fresh) == [("user", "lama", 2, "altered")]
        finally:
            fresh.close()
    finally:
        services.close()


def test_an_unchained_event_after_a_chained_one_in_a_stream_is_a_break(
        services: Services, config: Config) -> None:
    app = services.orchestrator
    user = app.find_user("sekretaris")
    assert user is not None
    user.revoke_tokens(actor="admin")
    app.save_user(user)
    edit_state(RawStore(config), user_id("sekretaris"), 2, lambda state: state.pop("prev_hash"))
    assert problems(services) == [("user", "sekretaris", 2, "legacy-after-chained")]


def test_the_newer_kinds_verify_and_a_change_in_each_is_named(services: Services,
                                                               config: Config) -> None:
    """Acting appointments (Plh/Plt), the outbox's deliveries and reminders, the office
    calendar are streams the service trusts too: each verifies as its own kind, and a changed
    event in any is found."""
    from datetime import date, timedelta

    from orchestrator.acting import acting_id
    from orchestrator.commands import AppointActing, DeclareCutiBersama
    from orchestrator.notices import Delivery, Reminder, delivery_id
    from orchestrator.office_calendar import CALENDAR_ID

    app = services.orchestrator
    administrator = Actor("administrator", frozenset({"administrator"}))
    today = date.today()
    app.appoint_acting(AppointActing(administrator, "kasubbag", "sekretaris", "plh", today,
                                     today + timedelta(days=1), "Cuti", official="sekretaris"))
    delivery = Delivery(key="uji-kunci", channel="email", sender="uji", lease_until="2099-01-01")
    delivery.reclaim(sender="uji-2", lease_until="2099-01-02")
    app.save(delivery)
    app.save(Reminder(task_id="t-1", case_id="c-1", kind="due_soon", due_at="2099-01-01",
                      at="2098-12-31"))
    cuti = next(day for day in (today + timedelta(days=n) for n in range(30, 60))
                if app.calendar.is_working_day(day))
    app.declare_cuti_bersama(DeclareCutiBersama(administrator, cuti, "SKB 3 Menteri"))
    report = Auditor(app).verify_store()
    assert report.ok, report.problems()
    assert {"acting appointments", "delivery", "reminder", "office calendar"} \
        <= set(report.counts())
    raw = RawStore(config)
    # an event followed by another is caught by its successor's link (a stream's last event,
    # like a one-event reminder, is caught against a checkpoint: tests/integration/
    # test_checkpoints.py)
    edit_state(raw, acting_id("kasubbag"), 1, lambda state: state.update(deputy="budi"))
    edit_state(raw, delivery_id("uji-kunci"), 1, lambda state: state.update(channel="sms"))
    # the seed, rewritten to take the 08:00 opening an hour later
    edit_state(raw, CALENDAR_ID, 1, lambda state: state.update(office_hours="09:00-16:00"))
    found = {(kind, problem) for kind, _name, _seq, problem in problems(services)}
    assert {("acting appointments", "altered"), ("delivery", "altered"),
            ("office calendar", "altered")} <= found, found
