"""The authorization policy, one test per rule: every edge (API, pages, CLI) asks these."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator import policy
from orchestrator.commands import Actor
from orchestrator.engine import ProcessModel, load_model
from orchestrator.errors import NotAllowed
from orchestrator.roles import RoleRegistry

ROOT = Path(__file__).resolve().parents[2] / "processes"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")


@pytest.fixture(scope="module")
def pengaduan() -> ProcessModel:
    return load_model("sop_9_3", (ROOT / "bpmn" / "sop-9.3.bpmn").read_bytes(), ROLES)


def actor(*roles: str) -> Actor:
    return Actor("u", frozenset(roles))


def test_an_inspector_never_writes_whatever_else_they_hold() -> None:
    assert policy.may_write(actor("admin"))
    assert not policy.may_write(actor("inspektur", "administrator"))
    with pytest.raises(NotAllowed):
        policy.ensure_may_write(actor("inspektur"))


def test_a_case_is_started_by_a_holder_of_one_of_its_lanes(pengaduan: ProcessModel) -> None:
    assert policy.may_start(actor("admin"), pengaduan)
    assert not policy.may_start(actor("bendahara"), pengaduan)
    assert not policy.may_start(actor("admin", "inspektur"), pengaduan)


def test_acting_in_a_lane_needs_its_role() -> None:
    assert policy.may_act_in(actor("sekretaris"), "sekretaris")
    assert not policy.may_act_in(actor("admin"), "sekretaris")


def test_cancelling_is_for_administrators_and_process_owners() -> None:
    assert policy.may_cancel(actor("administrator"))
    assert policy.may_cancel(actor("pemilik_proses"))
    assert not policy.may_cancel(actor("sekretaris"))
    assert not policy.may_cancel(actor("administrator", "inspektur"))


def test_deploying_is_for_process_owners() -> None:
    assert policy.may_deploy(actor("pemilik_proses"))
    assert not policy.may_deploy(actor("administrator"))
    assert not policy.may_deploy(actor("pemilik_proses", "inspektur"))


def test_users_are_managed_by_administrators_who_are_not_inspectors() -> None:
    assert policy.may_manage_users(actor("administrator"))
    assert not policy.may_manage_users(actor("administrator", "inspektur"))
    assert not policy.may_manage_users(actor("pemilik_proses"))


def test_access_logs_and_audit_pages_are_for_inspectors_and_administrators() -> None:
    for rule in (policy.may_read_access_log, policy.may_audit):
        assert rule(actor("inspektur")) and rule(actor("administrator"))
        assert not rule(actor("sekretaris"))


def test_a_case_is_read_by_its_lanes_and_the_readers(pengaduan: ProcessModel) -> None:
    assert policy.may_read_case(actor("unit_pengaduan"), pengaduan)
    assert policy.may_read_case(actor("inspektur"), pengaduan)
    assert not policy.may_read_case(actor("bendahara"), pengaduan)


@pytest.fixture(scope="module")
def wbs() -> ProcessModel:
    return load_model("sop_9_5", (ROOT / "bpmn" / "sop-9.5.bpmn").read_bytes(), ROLES)


def test_supervisors_open_every_case_they_list_but_no_sensitive_one(
        pengaduan: ProcessModel, wbs: ProcessModel) -> None:
    """Issue 15 item 6: the Ketua listed cases that then answered 404; now a listed case is
    always one the supervisor may open, and a WBS report neither opens nor lists for them."""
    for supervisor in ("ketua", "sekretaris", "kasubbag_kul"):
        assert policy.may_read_case(actor(supervisor), pengaduan), supervisor
        assert policy.may_list_process(actor(supervisor), pengaduan), supervisor
    for model in (pengaduan, wbs):
        for role in ("ketua", "bendahara", "pelapor", "inspektur", "administrator"):
            assert policy.may_list_process(actor(role), model) == policy.may_read_case(
                actor(role), model), (role, model.key)
    assert not policy.may_read_case(actor("bendahara"), pengaduan)
    assert not policy.may_list_process(actor("ketua"), wbs)


def test_letters_are_generated_by_the_lane_and_in_a_sensitive_case_by_its_readers(
        pengaduan: ProcessModel) -> None:
    assert policy.may_generate_document(actor("admin"), pengaduan, "admin")
    assert not policy.may_generate_document(actor("sekretaris"), pengaduan, "admin")
    assert not policy.may_generate_document(actor("admin", "inspektur"), pengaduan, "admin")
    gratifikasi = load_model("sop_9_4", (ROOT / "bpmn" / "sop-9.4.bpmn").read_bytes(), ROLES)
    assert policy.may_generate_document(actor("upg"), gratifikasi, "upg")
    # the reporter's own lane is the portal's, never staff's, even for a holder of the role
    reporter = "penerima_penolak_gratifikasi"
    assert not policy.may_generate_document(actor(reporter, "upg"), gratifikasi, reporter)


def test_the_public_completes_only_its_own_lanes_steps_and_never_in_a_sealed_case() -> None:
    ppid = load_model("sop_9_22", (ROOT / "bpmn" / "sop-9.22.bpmn").read_bytes(), ROLES)
    wbs = load_model("sop_9_5", (ROOT / "bpmn" / "sop-9.5.bpmn").read_bytes(), ROLES)
    assert policy.requester_may_complete(ppid, "pemohon_informasi")
    assert not policy.requester_may_complete(ppid, "ppid")
    assert not policy.requester_may_complete(ppid, "petugas_pelayanan_informasi")
    assert not policy.requester_may_complete(wbs, "pelapor")


def test_a_requester_objects_once_after_the_answer_or_when_the_time_has_passed() -> None:
    ppid = load_model("sop_9_22", (ROOT / "bpmn" / "sop-9.22.bpmn").read_bytes(), ROLES)
    incomplete = load_model("sop_9_22_b", (ROOT / "bpmn" / "sop-9.22-b.bpmn").read_bytes(),
                            ROLES)
    assert policy.requester_may_object(ppid, "completed", False, set())
    assert policy.requester_may_object(ppid, "active", True, set())
    assert not policy.requester_may_object(ppid, "active", False, set())
    assert not policy.requester_may_object(ppid, "cancelled", True, set())
    assert not policy.requester_may_object(ppid, "completed", False, {"keberatan"})
    assert not policy.requester_may_object(incomplete, "completed", False, set())


def test_the_desk_acts_for_the_requester_only_where_no_report_is_sealed() -> None:
    ppid = load_model("sop_9_22", (ROOT / "bpmn" / "sop-9.22.bpmn").read_bytes(), ROLES)
    wbs = load_model("sop_9_5", (ROOT / "bpmn" / "sop-9.5.bpmn").read_bytes(), ROLES)
    desk = actor("petugas_pelayanan_informasi")
    assert policy.desk_for_requester(desk, ppid).holds("pemohon_informasi")
    assert not policy.desk_for_requester(actor("ppid"), ppid).holds("pemohon_informasi")
    assert not policy.desk_for_requester(actor("admin"), wbs).holds("pelapor")
    inspector = actor("petugas_pelayanan_informasi", "inspektur")
    assert not policy.desk_for_requester(inspector, ppid).holds("pemohon_informasi")


def test_the_office_calendar_is_changed_by_administrators_who_are_not_inspectors() -> None:
    assert policy.may_manage_calendar(actor("administrator"))
    assert not policy.may_manage_calendar(actor("administrator", "inspektur"))
    assert not policy.may_manage_calendar(actor("sekretaris"))
    assert not policy.may_manage_calendar(actor("pemilik_proses"))
