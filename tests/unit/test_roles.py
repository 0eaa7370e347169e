"""The roles registry: unambiguous lane names, a unit for every role."""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestrator.roles import RoleRegistry

PATH = Path(__file__).resolve().parents[2] / "processes" / "roles.yaml"


def test_no_name_or_spelling_names_two_roles() -> None:
    seen: dict[str, str] = {}
    for role in yaml.safe_load(PATH.read_text())["roles"]:
        for label in {role["key"].replace("_", " "), role["name"], *role["spellings"]}:
            norm = " ".join(label.split()).casefold()
            assert seen.setdefault(norm, role["key"]) == role["key"], f"'{label}' is ambiguous"


def test_lanes_resolve_and_every_role_has_a_unit() -> None:
    registry = RoleRegistry.load(PATH)
    assert registry.key_for_lane("Unit  Pengaduan") == "unit_pengaduan"
    assert registry.key_for_lane("SEKRETARIS KPU") == "sekretaris"
    assert registry.key_for_lane("Tukang Kebun") is None
    assert registry.unit("kasubbag_kul") == "Subbagian Keuangan, Umum dan Logistik"
    assert all(role.unit for role in registry.roles.values())
