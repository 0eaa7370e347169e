"""Recognising identity fields (keys, titles, formats) and the sensitive read rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator import policy
from orchestrator.commands import Actor
from orchestrator.engine import ProcessModel, load_model
from orchestrator.errors import InvalidTaskData
from orchestrator.roles import RoleRegistry
from orchestrator.sensitivity import (
    ensure_no_identity_in_completion,
    identity_fields,
    identity_keys,
    is_identity_key,
)

ROOT = Path(__file__).resolve().parents[2] / "processes"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")


@pytest.fixture(scope="module")
def wbs() -> ProcessModel:
    return load_model("sop_9_5", (ROOT / "bpmn" / "sop-9.5.bpmn").read_bytes(), ROLES)


@pytest.mark.parametrize("key", ["pelapor", "pelapor_kontak", "nama", "namaLengkap", "noHp",
                                 "e_mail", "alamat_rumah", "NIK", "nomor_telepon", "surel"])
def test_identity_keys_are_recognised(key: str) -> None:
    assert is_identity_key(key)


@pytest.mark.parametrize("key", ["catatan", "uraian", "pihak_terlapor", "keputusan_pleno",
                                 "wawancara", "lampiran", "rekomendasi"])
def test_other_keys_are_not(key: str) -> None:
    assert not is_identity_key(key)


def test_fields_are_recognised_by_title_and_format_at_any_depth() -> None:
    form = {"type": "object", "properties": {
        "a": {"type": "string", "title": "Nomor WA pelapor"},
        "b": {"type": "string", "format": "email"},
        "c": {"type": "string", "title": "Alamat e-mail"},
        "d": {"type": "array", "items": {"type": "object", "properties": {"ktp": {}}}},
        "e": {"anyOf": [{"type": "object", "properties": {"domisili": {}}}]},
        "catatan": {"type": "string", "title": "Catatan"}}}
    assert identity_fields(form) == ["a", "b", "c", "domisili", "ktp"]


def test_the_standard_attachment_list_is_not_an_identity(wbs: ProcessModel) -> None:
    assert all(identity_fields(t["form"]) == [] for t in wbs.tasks.values())
    data = {"lampiran": [{"nama": "bukti.pdf", "sha256": "0" * 64, "ukuran": 1}]}
    assert identity_keys(data) == []
    ensure_no_identity_in_completion(data)
    with pytest.raises(InvalidTaskData):
        ensure_no_identity_in_completion({"data": {"nama": "x"}})


def actor(*roles: str) -> Actor:
    return Actor("u", frozenset(roles))


def test_a_sensitive_case_is_read_by_its_staff_lanes_and_inspectors(wbs: ProcessModel) -> None:
    for roles in (("unit_wbs",), ("sekretaris",), ("admin",), ("inspektur",)):
        assert policy.may_read_case(actor(*roles), wbs), roles
    for roles in (("pelapor",), ("administrator",), ("pemilik_proses",), ("ketua",)):
        assert not policy.may_read_case(actor(*roles), wbs), roles
        assert not policy.may_list_process(actor(*roles), wbs), roles


def test_nobody_on_staff_sees_a_sensitive_reporter_step(wbs: ProcessModel) -> None:
    assert not policy.may_see_task(actor("unit_wbs", "pelapor"), wbs, "pelapor")
    assert policy.may_see_task(actor("admin"), wbs, "admin")


def test_a_handling_role_is_a_staff_lane_and_no_service_role(wbs: ProcessModel) -> None:
    assert policy.handling_role_problem("unit_wbs", wbs) is None
    for role in ("administrator", "pemilik_proses", "inspektur", "pelapor", "ketua"):
        assert policy.handling_role_problem(role, wbs), role


def test_only_the_starter_of_a_sensitive_process_takes_the_reporters_step(
        wbs: ProcessModel) -> None:
    assert policy.on_behalf_of_reporter(actor("admin"), wbs).holds("pelapor")
    assert not policy.on_behalf_of_reporter(actor("bendahara_pengeluaran"), wbs).holds("pelapor")
