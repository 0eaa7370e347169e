"""Acting officials (Plh, Pelaksana Harian; Plt, Pelaksana Tugas): for a date range a deputy
holds an official's role, sees and acts in its lanes, and every act records on whose behalf
("a.n."). The range ends the appointment by itself: whether it holds is decided from the date
(WITA) of each act, never by a job that has to run.

One aggregate per deputy holds the appointments made to them, so resolving who a user acts as
is one read of the write side (kept in the aggregate cache), not a query of a read model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate

if TYPE_CHECKING:
    from orchestrator.commands import AppointActing
    from orchestrator.roles import RoleRegistry
    from orchestrator.users import User

# the service's own roles are never lent: an acting official runs an office, not the service
NOT_LENT = frozenset({"inspektur", "pemilik_proses", "administrator"})

KINDS = {"plh": "Plh", "plt": "Plt"}
LONGEST_DAYS = 366  # a Plt stands in for at most a year before it is appointed again


def acting_id(deputy: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:acting:{deputy.casefold()}")


@dataclass(frozen=True)
class ActingFor:
    """One appointment: ``deputy`` holds ``role`` for ``official`` from ``starts_on`` to
    ``ends_on`` (both included, WITA dates)."""

    appointment_id: str
    role: str
    official: str
    kind: str
    starts_on: str
    ends_on: str
    reason: str = ""
    by: str = ""
    ended: bool = False

    def holds_on(self, day: date) -> bool:
        return not self.ended and date.fromisoformat(self.starts_on) <= day \
            <= date.fromisoformat(self.ends_on)

    def recorded(self) -> dict[str, str]:
        """What an act done under this appointment records (the "a.n." of the event)."""
        return {"appointment_id": self.appointment_id, "role": self.role,
                "official": self.official, "kind": self.kind}

    def label(self) -> str:
        return f"{KINDS.get(self.kind, self.kind)} a.n. {self.official}"


class ActingAppointments(ChainedAggregate):
    """The appointments made to one deputy, in the order they were made."""

    @staticmethod
    def create_id(deputy: str, **_: object) -> UUID:
        return acting_id(deputy)

    @event("Opened")
    def __init__(self, deputy: str) -> None:
        self.deputy = deputy
        self.appointments: list[dict[str, Any]] = []

    @event("Appointed")
    def appoint(self, appointment_id: str, role: str, official: str, kind: str,
                starts_on: str, ends_on: str, reason: str, by: str) -> None:
        self.appointments.append({
            "appointment_id": appointment_id, "role": role, "official": official,
            "kind": kind, "starts_on": starts_on, "ends_on": ends_on, "reason": reason,
            "by": by, "ended": False})

    @event("Ended")
    def end(self, appointment_id: str, by: str, reason: str) -> None:
        for appointment in self.appointments:
            if appointment["appointment_id"] == appointment_id:
                appointment["ended"] = True

    def all(self) -> list[ActingFor]:
        return [ActingFor(**a) for a in self.appointments]

    def holding_on(self, day: date) -> list[ActingFor]:
        return [a for a in self.all() if a.holds_on(day)]


def acting_problems(cmd: AppointActing, official: str, roles: RoleRegistry,
                    find_user: Callable[[str], User | None], today: date) -> dict[str, list[str]]:
    """What is wrong with an appointment, per field (empty when it may be made)."""
    found = [*_who_problems(cmd, official, roles, find_user), *_when_problems(cmd, today)]
    problems: dict[str, list[str]] = {}
    for name, message in found:
        problems.setdefault(name, []).append(message)
    return problems


def _who_problems(cmd: AppointActing, official: str, roles: RoleRegistry,
                  find_user: Callable[[str], User | None]) -> list[tuple[str, str]]:
    found = []
    if cmd.role not in roles.roles or cmd.role in NOT_LENT or roles.is_composite(cmd.role):
        found.append(("role", f"'{cmd.role}' is not a role an acting official can hold"))
    if cmd.kind not in KINDS:
        found.append(("kind", f"must be one of {sorted(KINDS)}"))
    deputy, holder = find_user(cmd.deputy), find_user(official)
    if deputy is None or not deputy.active:
        found.append(("deputy", f"no active user '{cmd.deputy}'"))
    if holder is None or cmd.role not in holder.roles:
        found.append(("official", f"'{official}' does not hold the role {cmd.role}"))
    if cmd.deputy == official:
        found.append(("deputy", "an official cannot stand in for themselves"))
    elif deputy is not None and cmd.role in deputy.roles:
        found.append(("deputy", f"'{cmd.deputy}' already holds the role {cmd.role}"))
    return found


def _when_problems(cmd: AppointActing, today: date) -> list[tuple[str, str]]:
    found = []
    if cmd.ends_on < cmd.starts_on:
        found.append(("ends_on", "must not be before starts_on"))
    elif (cmd.ends_on - cmd.starts_on).days >= LONGEST_DAYS:
        found.append(("ends_on", f"an appointment lasts at most {LONGEST_DAYS} days"))
    if cmd.ends_on < today:
        found.append(("ends_on", "must not be in the past"))
    if not cmd.reason.strip():
        found.append(("reason", "say why (cuti, dinas luar, sakit …)"))
    return found
