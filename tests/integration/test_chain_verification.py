"""Tamper evidence on the real stores: stored rows changed by raw SQL are found at their seq."""

from __future__ import annotations

from uuid import UUID

import pytest

from alur.bootstrap import Services
from alur.cli import main
from alur.config import Config
from api.app import create_app
from orchestrator.audit import Auditor
from orchestrator.commands import Actor, CompleteTask, StartCase
from tests.conftest import Api
from tests.integration.rawstore import RawStore
from tests.starts import complaint
from tools.form_samples import sample

ALL = Actor("tester", frozenset({"pelapor", "admin", "sekretaris", "unit_pengaduan"}))


def walked_case(services: Services, steps: int = 3) -> UUID:
    """SOP 9.3 through ``steps`` tasks: 1 started, 2 deadline, 3 activated, 4 completed, …"""
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(subjek="Antrian"), ALL)).case_id
    for n in range(1, steps + 1):
        (task,) = app.get_case(case_id).open_tasks.values()
        app.complete_task(CompleteTask(case_id, UUID(task.task_id), ALL,
                                       sample(task.form, overrides={"catatan": f"selesai {n}"})))
    return case_id


def verify(services: Services, case_id: UUID) -> tuple[int, str] | None:
    result = Auditor(services.orchestrator).verify(case_id)
    return (result.first_bad.seq, result.first_bad.problem) if result.first_bad else None


def test_an_untouched_store_verifies_clean(services: Services) -> None:
    case_ids = [walked_case(services), walked_case(services, steps=1)]
    auditor = Auditor(services.orchestrator)
    results = list(auditor.verify_all())
    assert [r.originator_id for r in results] == case_ids
    assert all(r.ok and r.first_bad is None for r in results)
    live = services.orchestrator.get_case(case_ids[0])
    assert results[0].events == live.version and results[0].head_hash == live.head_hash


def test_one_changed_byte_is_an_altered_event(services: Services, config: Config) -> None:
    case_id = walked_case(services)
    raw = RawStore(config)
    state = raw.states(case_id)[4]  # TaskCompleted of Task_1
    assert b"selesai 1" in state
    raw.set_state(case_id, 4, state.replace(b"selesai 1", b"selesai 7"))
    assert verify(services, case_id) == (4, "altered")


def test_a_state_that_no_longer_decodes_is_undecodable(services: Services,
                                                       config: Config) -> None:
    case_id = walked_case(services)
    raw = RawStore(config)
    raw.set_state(case_id, 6, b"X" + raw.states(case_id)[6][1:])
    assert verify(services, case_id) == (6, "undecodable")


def test_a_deleted_event_is_removed(services: Services, config: Config) -> None:
    case_id = walked_case(services)
    RawStore(config).delete(case_id, 5)
    assert verify(services, case_id) == (5, "removed")


@pytest.mark.parametrize("first, second", [(3, 5), (3, 4)], ids=["apart", "adjacent"])
def test_swapped_states_are_reordered(services: Services, config: Config, first: int,
                                      second: int) -> None:
    case_id = walked_case(services)
    RawStore(config).swap_states(case_id, first, second)
    assert verify(services, case_id) == (first, "reordered")


def test_other_cases_stay_clean_when_one_is_tampered(services: Services,
                                                     config: Config) -> None:
    tampered, clean = walked_case(services), walked_case(services)
    RawStore(config).delete(tampered, 2)
    assert verify(services, tampered) == (2, "removed")
    assert verify(services, clean) is None


def test_cli_verify_exits_non_zero_on_a_broken_chain(services: Services, config: Config,
                                                     capsys: pytest.CaptureFixture) -> None:
    case_id = walked_case(services)
    assert main(["audit", "verify"], config) == 0
    assert "case: 1 verified, 0 broken" in capsys.readouterr().out
    RawStore(config).delete(case_id, 4)
    assert main(["audit", "verify", str(case_id)], config) == 1
    captured = capsys.readouterr()
    assert f"{case_id}" in captured.out and "BROKEN at event 4 (removed)" in captured.out
    assert "1 stream(s) and 0 snapshot(s) verified, 1 problem(s)" in captured.err


def test_http_verify_reports_a_history_that_no_longer_loads(services: Services,
                                                            config: Config) -> None:
    case_id = walked_case(services)
    raw = RawStore(config)
    raw.set_state(case_id, 1, raw.states(case_id)[1][:-2])
    api = Api(create_app(services, testing=True).test_client())
    body = api.get(f"/cases/{case_id}/audit/verify", "inspektur").get_json()
    assert body["ok"] is False and body["events"] == 9
    assert body["first_bad"]["seq"] == 1 and body["first_bad"]["problem"] == "undecodable"
