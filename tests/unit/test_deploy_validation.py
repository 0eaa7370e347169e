"""Deploy-time validation: unsafe or unrunnable BPMN is refused with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.engine import load_model
from orchestrator.errors import InvalidDefinition
from orchestrator.roles import RoleRegistry

ROOT = Path(__file__).resolve().parents[2] / "processes"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")
SOP_9_3 = (ROOT / "bpmn" / "sop-9.3.bpmn").read_bytes()


def refused(bpmn: bytes, key: str = "sop_9_3") -> InvalidDefinition:
    with pytest.raises(InvalidDefinition) as info:
        load_model(key, bpmn, ROLES)
    return info.value


def test_the_real_file_deploys() -> None:
    model = load_model("sop_9_3", SOP_9_3, ROLES)
    assert len(model.tasks) == 9 and set(model.lanes.values()) == {
        "pelapor", "admin", "sekretaris", "unit_pengaduan", "rapat_pleno"}


def test_billion_laughs_and_external_entities_are_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
            b'<!ENTITY b "&a;&a;&a;">]><x>&b;</x>')
    assert "DTD" in refused(bomb).message
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    assert "DTD" in refused(xxe).message


def test_script_tasks_are_refused() -> None:
    bpmn = SOP_9_3.replace(b"<bpmn:userTask id=\"Task_2\"", b"<bpmn:scriptTask id=\"Task_2\"")
    bpmn = bpmn.replace(b"</bpmn:userTask>\n    <bpmn:userTask id=\"Task_3\"",
                        b"</bpmn:scriptTask>\n    <bpmn:userTask id=\"Task_3\"")
    assert any("scriptTask" in e for e in refused(bpmn).details["errors"])


def test_unsafe_condition_is_refused() -> None:
    bpmn = SOP_9_3.replace(b"keputusan_pleno == &#x27;benar&#x27;", b"__import__('os')")
    bpmn = bpmn.replace(b"keputusan_pleno == 'benar'", b"__import__('os')")
    errors = refused(bpmn).details["errors"]
    assert any("refused" in e for e in errors)


def test_unknown_lane_and_wrong_key_are_refused() -> None:
    bpmn = SOP_9_3.replace(b'name="Sekretaris"', b'name="Tukang Kebun"')
    assert any("Tukang Kebun" in e for e in refused(bpmn).details["errors"])
    assert "no executable process" in refused(SOP_9_3, key="sop_9_4").message
    assert "well-formed" in refused(b"<bpmn:definitions").message
