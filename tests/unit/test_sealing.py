"""Sealing reporters' identities: AES-GCM bound to the case, a key from config, and the flag
that makes a process sensitive (BPMN process properties, generated from the catalogue)."""

from __future__ import annotations

import base64
from pathlib import Path
from uuid import uuid4

import pytest

from alur.config import Config
from orchestrator.engine import load_model
from orchestrator.errors import InvalidDefinition
from orchestrator.roles import RoleRegistry
from orchestrator.sealing import Sealer, SealingUnavailable, decode_key, split_reporter

ROOT = Path(__file__).resolve().parents[2] / "processes"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")
KEY = bytes(range(32))
SOP_9_5 = (ROOT / "bpmn" / "sop-9.5.bpmn").read_bytes()


def test_reporter_keys_are_split_from_the_data() -> None:
    data = {"uraian": "x", "pelapor": {"nama": "A"}, "pelapor_hp": "08", "pelaporan": "y"}
    public, reporter = split_reporter(data)
    assert public == {"uraian": "x", "pelaporan": "y"}
    assert reporter == {"pelapor": {"nama": "A"}, "pelapor_hp": "08"}


def test_a_sealed_reporter_opens_only_for_its_case_and_key() -> None:
    case_id = uuid4()
    sealed = Sealer(KEY).seal(case_id, {"pelapor": {"nama": "Ani"}})
    assert sealed.startswith("v1:") and "Ani" not in sealed
    assert Sealer(KEY).open(case_id, sealed) == {"pelapor": {"nama": "Ani"}}
    with pytest.raises(SealingUnavailable):
        Sealer(KEY).open(uuid4(), sealed)  # moved to another case
    with pytest.raises(SealingUnavailable):
        Sealer(bytes(32)).open(case_id, sealed)  # another key


def test_anonymous_reports_need_no_key_and_seal_to_nothing() -> None:
    assert Sealer(None).seal(uuid4(), {}) == ""
    assert Sealer(None).open(uuid4(), "") == {}
    with pytest.raises(SealingUnavailable, match="ALUR_SENSITIVE_KEY"):
        Sealer(None).seal(uuid4(), {"pelapor_nama": "Ani"})


def test_the_key_is_base64_of_32_bytes() -> None:
    assert decode_key(base64.b64encode(KEY).decode()) == KEY
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError, match="ALUR_SENSITIVE_KEY"):
            decode_key(bad)


def test_demo_mode_generates_a_key_once_production_never(tmp_path: Path) -> None:
    demo = Config(data_dir=tmp_path)
    key = demo.resolved_sensitive_key()
    assert len(decode_key(key)) == 32 and demo.resolved_sensitive_key() == key
    assert Config(data_dir=tmp_path / "p", env="production").resolved_sensitive_key() == ""
    given = base64.b64encode(KEY).decode()
    assert Config.from_env({"ALUR_SENSITIVE_KEY": given}).resolved_sensitive_key() == given


def test_wbs_and_gratifikasi_are_flagged_sensitive_with_their_handling_role() -> None:
    for name, key, role in (("sop-9.5", "sop_9_5", "unit_wbs"), ("sop-9.4", "sop_9_4", "upg")):
        model = load_model(key, (ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), ROLES)
        assert (model.sensitive, model.handling_role) == (True, role)
    plain = load_model("sop_9_3", (ROOT / "bpmn" / "sop-9.3.bpmn").read_bytes(), ROLES)
    assert (plain.sensitive, plain.handling_role) == (False, None)


def test_a_sensitive_process_needs_a_known_handling_role() -> None:
    bpmn = SOP_9_5.replace(b'value="unit_wbs"', b'value="unit_rahasia"')
    with pytest.raises(InvalidDefinition) as info:
        load_model("sop_9_5", bpmn, ROLES)
    assert any("handling_role 'unit_rahasia'" in e for e in info.value.details["errors"])
