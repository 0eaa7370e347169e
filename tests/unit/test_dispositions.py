"""Dispositions and combined lanes without a store: the deploy checks of ``assign_from`` and
user fields, the composite roles of the registry, and the policy's rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.commands import Actor
from orchestrator.dispositions import user_problem
from orchestrator.engine import load_model
from orchestrator.errors import InvalidDefinition
from orchestrator.policy import may_assign, may_comment, may_hold
from orchestrator.roles import Role, RoleRegistry

ROOT = Path(__file__).resolve().parents[2] / "processes"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")
SOP_9_14 = (ROOT / "bpmn" / "sop-9.14.bpmn").read_bytes()


def errors_of(bpmn: bytes) -> list[str]:
    with pytest.raises(InvalidDefinition) as info:
        load_model("sop_9_14", bpmn, ROLES)
    return info.value.details["errors"]


def test_the_disposition_sheet_of_9_14_deploys() -> None:
    model = load_model("sop_9_14", SOP_9_14, ROLES)
    (row6,) = [t for t in model.tasks.values() if t["properties"].get("row") == "6"]
    assert row6["properties"]["assign_from"] == "penerima_disposisi"


def test_assign_from_must_name_a_user_field_of_an_earlier_step() -> None:
    wrong = SOP_9_14.replace(b'name="assign_from" value="penerima_disposisi"',
                             b'name="assign_from" value="catatan"')
    assert any("assign_from 'catatan' is not a user field" in e for e in errors_of(wrong))
    text = SOP_9_14.replace(b'name="instruction_from" value="isi_disposisi"',
                            b'name="instruction_from" value="tidak_ada"')
    assert any("instruction_from 'tidak_ada'" in e for e in errors_of(text))


def test_user_fields_need_lanes_that_can_hold_the_disposed_step() -> None:
    other = SOP_9_14.replace(b'"x-alur-lanes":["kasubbag"]', b'"x-alur-lanes":["staf"]')
    assert any("do not hold this step's lane 'kasubbag'" in e for e in errors_of(other))
    none = SOP_9_14.replace(b',"x-alur-lanes":["kasubbag"]', b"")
    assert any("needs x-alur-lanes" in e for e in errors_of(none))
    unknown = SOP_9_14.replace(b'"x-alur-lanes":["kasubbag"]', b'"x-alur-lanes":["tukang"]')
    assert any("unknown roles ['tukang']" in e for e in errors_of(unknown))


def test_a_combined_lane_is_held_through_any_member() -> None:
    assert ROLES.key_for_lane("Sekretaris/Ketua KPU") == "ketua_sekretaris"
    assert ROLES.key_for_lane("Kasubbag Hukum/ Staf") == "kasubbag_hukum_staf"
    assert ROLES.members("ketua_sekretaris") == {"ketua", "sekretaris"}
    assert ROLES.members("ketua") == {"ketua"}
    for member in ("ketua", "sekretaris"):
        assert ROLES.actor("x", [member]).holds("ketua_sekretaris")
    assert not ROLES.actor("x", ["anggota_kpu"]).holds("ketua_sekretaris")
    assert ROLES.expand(["staf_tpph"]) == {"staf_tpph", "kasubbag_hukum_staf"}
    with pytest.raises(ValueError):  # a composite of composites, or of unknown roles
        RoleRegistry([Role("a", "A"), Role("b", "B", any_of=("a",)), Role("c", "C", any_of=("b",))])


def test_who_may_dispose_and_receive() -> None:
    model = load_model("sop_9_14", SOP_9_14, ROLES)
    kasubbag = Actor("andi", frozenset({"kasubbag"}))
    assert may_assign(kasubbag, "kasubbag", None) and may_assign(kasubbag, "kasubbag", "andi")
    assert not may_assign(kasubbag, "kasubbag", "budi")  # someone else's step
    assert not may_assign(kasubbag, "ketua_sekretaris", None)  # not their lane
    inspector = Actor("i", frozenset({"kasubbag", "inspektur"}))
    assert not may_assign(inspector, "kasubbag", None)
    assert not may_hold(inspector, "kasubbag", model) and may_hold(kasubbag, "kasubbag", model)
    assert may_comment(kasubbag, model) and not may_comment(inspector, model)
    assert user_problem("x", ["kasubbag"], None, frozenset()) == "no user 'x'"
    assert "disabled" in (user_problem("x", ["kasubbag"], False, frozenset({"kasubbag"})) or "")
    assert user_problem("x", ["kasubbag"], True, frozenset({"kasubbag"})) is None


def test_the_modelers_lane_names_become_role_keys() -> None:
    """The form editor names a user field's lanes as the diagram does ("Sekretaris"); deploy
    reads them as role keys, and still refuses a name the registry does not know."""
    from pathlib import Path

    from orchestrator.dispositions import assignment_errors, user_lanes_as_role_keys
    from orchestrator.roles import RoleRegistry

    roles = RoleRegistry.load(Path(__file__).resolve().parents[2] / "processes" / "roles.yaml")
    form = {"type": "object", "properties": {"pejabat": {
        "type": "string", "x-alur-widget": "user", "x-alur-lanes": ["Sekretaris", "Ketua KPU"]}}}
    keyed = user_lanes_as_role_keys(form, roles)
    assert keyed["properties"]["pejabat"]["x-alur-lanes"] == ["sekretaris", "ketua"]
    assert assignment_errors({"Task_1": {"form": keyed, "properties": {}, "lane": "admin"}},
                             [], roles) == []
    unknown = user_lanes_as_role_keys({"type": "object", "properties": {"p": {
        "type": "string", "x-alur-widget": "user", "x-alur-lanes": ["Juru Masak"]}}}, roles)
    assert assignment_errors({"Task_1": {"form": unknown, "properties": {}, "lane": "admin"}},
                             [], roles)
