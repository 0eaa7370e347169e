"""The roles registry: role keys, their Indonesian names, and the lanes that name them.

A combined column of the decree ("Sekretaris/Ketua KPU", "Kasubbag Hukum/ Staf") is a
*composite* role: a lane of its own, ``any_of`` its member roles, held by anyone who holds a
member. Composites are never given to users; ``expand`` adds them to the roles a user holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from orchestrator.acting import ActingFor
from orchestrator.commands import Actor
from orchestrator.yaml_files import load_yaml

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
    any_of: tuple[str, ...] = ()  # a composite role (a combined column): held via a member


@dataclass(frozen=True)
class Unit:
    """An organisational unit: who supervises it, and the unit above it (if any)."""

    name: str
    supervisor: str  # a role key
    above: str | None = None


class RoleRegistry:
    """Maps a BPMN lane name (a role's Indonesian name or a known spelling) to a role key."""

    def __init__(self, roles: list[Role], units: list[Unit] | None = None) -> None:
        self.roles = {r.key: r for r in roles}
        self.units = {u.name: u for u in units or []}
        self._by_name: dict[str, str] = {}
        for role in roles:
            for label in (role.key, role.name, *role.spellings):
                self._by_name[_norm(label)] = role.key
        for role in roles:
            wrong = [m for m in role.any_of if m not in self.roles or self.roles[m].any_of]
            if wrong:
                raise ValueError(f"composite role {role.key}: members {wrong} are not plain roles")

    @classmethod
    def load(cls, path: Path) -> RoleRegistry:
        data = load_yaml(path)
        roles = [Role(r["key"], r["name"], tuple(r.get("spellings", ())),
                      r.get("unit", "Sekretariat"), tuple(r.get("any_of", ())))
                 for r in data["roles"]]
        roles += [Role(k, n) for k, n in SYSTEM_ROLES.items() if k not in {r.key for r in roles}]
        units = [Unit(u["name"], u["supervisor"], u.get("above"))
                 for u in data.get("units") or []]
        return cls(roles, units)

    def supervisor(self, lane: str) -> tuple[str, str] | None:
        """Who a late step of ``lane`` is escalated to, and that unit's name: the supervisor
        of the lane's unit (a composite lane: of its first member's unit), or of the unit
        above when the lane is that supervisor; None at the top (nobody above)."""
        members = sorted(self.members(lane))
        unit = self.units.get(self.unit(members[0] if members else lane))
        seen: set[str] = set()
        while unit is not None and unit.name not in seen:
            seen.add(unit.name)
            if unit.supervisor != lane and unit.supervisor not in members:
                return unit.supervisor, unit.name
            unit = self.units.get(unit.above) if unit.above else None
        return None

    def key_for_lane(self, lane: str | None) -> str | None:
        """The role key a lane name stands for, or None if the registry does not know it."""
        return self._by_name.get(_norm(lane)) if lane else None

    def is_composite(self, key: str) -> bool:
        role = self.roles.get(key)
        return bool(role and role.any_of)

    def members(self, key: str) -> frozenset[str]:
        """The plain roles that hold ``key`` (itself, or a composite's members)."""
        role = self.roles.get(key)
        return frozenset(role.any_of) if role and role.any_of else frozenset({key})

    def expand(self, held: Iterable[str]) -> frozenset[str]:
        """The roles held, plus every composite one of them is a member of."""
        plain = frozenset(held)
        return plain | {r.key for r in self.roles.values() if set(r.any_of) & plain}

    def actor(self, username: str, held: Iterable[str],
              acting: Iterable[ActingFor] = ()) -> Actor:
        """The actor a user with these roles acts as (composite lanes included), plus the
        roles they hold today as an acting official: each such role (and the combined lanes
        it makes them a member of) remembers its appointment, so the act records it."""
        own = self.expand(held)
        lent: dict[str, ActingFor] = {}
        for appointment in acting:
            for role in sorted(self.expand({appointment.role}) - own):
                lent.setdefault(role, appointment)
        return Actor(username, own | frozenset(lent), tuple(sorted(lent.items())))

    def name(self, key: str) -> str:
        role = self.roles.get(key)
        return role.name if role else key

    def unit(self, key: str) -> str:
        role = self.roles.get(key)
        return role.unit if role else "Sekretariat"


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()
