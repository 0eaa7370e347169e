"""The roles registry: role keys, their Indonesian names, and the lanes that name them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

# Roles that are not lanes of any SOP but that the service itself needs.
SYSTEM_ROLES = {
    "inspektur": "Inspektur (Pemeriksa)",
    "pemilik_proses": "Pemilik Proses",
    "administrator": "Administrator",
}


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    spellings: tuple[str, ...] = ()
    unit: str = "Sekretariat"


class RoleRegistry:
    """Maps a BPMN lane name (a role's Indonesian name or a known spelling) to a role key."""

    def __init__(self, roles: list[Role]) -> None:
        self.roles = {r.key: r for r in roles}
        self._by_name: dict[str, str] = {}
        for role in roles:
            for label in (role.key, role.name, *role.spellings):
                self._by_name[_norm(label)] = role.key

    @classmethod
    def load(cls, path: Path) -> RoleRegistry:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        roles = [Role(r["key"], r["name"], tuple(r.get("spellings", ())),
                      r.get("unit", "Sekretariat")) for r in data["roles"]]
        roles += [Role(k, n) for k, n in SYSTEM_ROLES.items() if k not in {r.key for r in roles}]
        return cls(roles)

    def key_for_lane(self, lane: str | None) -> str | None:
        """The role key a lane name stands for, or None if the registry does not know it."""
        return self._by_name.get(_norm(lane)) if lane else None

    def name(self, key: str) -> str:
        role = self.roles.get(key)
        return role.name if role else key

    def unit(self, key: str) -> str:
        role = self.roles.get(key)
        return role.unit if role else "Sekretariat"


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()
