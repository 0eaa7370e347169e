"""Commands: imperative, immutable requests to change a case or a process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from orchestrator.acting import ActingFor


@dataclass(frozen=True)
class Actor:
    """Who acts: a username and the role keys they hold, and of those the ones held today as
    an acting official (Plh/Plt), each with its appointment."""

    username: str
    roles: frozenset[str] = frozenset()
    acting: tuple[tuple[str, ActingFor], ...] = ()

    def holds(self, role: str) -> bool:
        """Whether the actor holds ``role``; a combined lane's role is among ``roles`` when
        a member is (``RoleRegistry.actor`` builds actors so)."""
        return role in self.roles

    def acting_for(self, lane: str) -> ActingFor | None:
        """The appointment under which the actor acts in ``lane``, or None when the lane is
        the actor's own."""
        return next((appointment for role, appointment in self.acting if role == lane), None)

    def on_behalf_in(self, lane: str) -> dict[str, str] | None:
        """What an act in ``lane`` records of the appointment it was done under (a.n.)."""
        appointment = self.acting_for(lane)
        return appointment.recorded() if appointment else None


@dataclass(frozen=True)
class StartCase:
    process: str
    data: dict[str, Any]
    actor: Actor


@dataclass(frozen=True)
class ClaimTask:
    case_id: UUID
    task_id: UUID
    actor: Actor
    expected_version: int | None = None


@dataclass(frozen=True)
class ReleaseTask:
    case_id: UUID
    task_id: UUID
    actor: Actor
    expected_version: int | None = None


@dataclass(frozen=True)
class CompleteTask:
    case_id: UUID
    task_id: UUID
    actor: Actor
    data: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None
    # the sha256 of a letter this case generated: the one file uploaded with this completion
    # is its signed version (DocumentSigned)
    signed_of: str = ""


@dataclass(frozen=True)
class GenerateDocument:
    """Generate a letter from a template in a ready step, numbered from its register."""

    case_id: UUID
    task_id: UUID
    actor: Actor
    template: str
    format: str = "docx"  # docx | pdf


@dataclass(frozen=True)
class AssignTask:
    """Dispose a ready step to a named holder of its lane (or redispose it)."""

    case_id: UUID
    task_id: UUID
    actor: Actor
    assignee: str
    instruction: str
    due_at: datetime | None = None  # aware; in the future
    expected_version: int | None = None


@dataclass(frozen=True)
class AddComment:
    """A note on a case, optionally about one of its steps."""

    case_id: UUID
    actor: Actor
    text: str
    task_id: UUID | None = None


@dataclass(frozen=True)
class CancelCase:
    case_id: UUID
    actor: Actor
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ExtendDeadline:
    case_id: UUID
    actor: Actor
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class FireTimer:
    """Fire an armed timer whose due moment passed (the scheduler's command)."""

    case_id: UUID
    timer_id: str
    actor: Actor
    now: datetime  # aware: the scheduler's clock; a timer due after it is not fired


@dataclass(frozen=True)
class RemindTask:
    case_id: UUID
    task_id: str
    due_at: str  # the step's due time as the worklist computes it (ISO 8601)
    actor: Actor


@dataclass(frozen=True)
class EscalateTask:
    case_id: UUID
    task_id: str
    due_at: str
    actor: Actor


@dataclass(frozen=True)
class EscalateDeadline:
    case_id: UUID
    due_at: str
    actor: Actor


@dataclass(frozen=True)
class DeployProcess:
    key: str
    bpmn: bytes
    actor: Actor
    source: str = ""  # where the BPMN came from: "file:<path>", "modeler", "api"


@dataclass(frozen=True)
class CommandResult:
    """What a command returns: the case, its new version, and the log position to wait for."""

    case_id: UUID
    version: int
    position: int


@dataclass(frozen=True)
class AppointActing:
    """Name ``deputy`` Plh/Plt of ``role`` for ``official`` from ``starts_on`` to ``ends_on``
    (WITA dates, both included). ``official`` defaults to the actor when they hold the role."""

    actor: Actor
    deputy: str
    role: str
    kind: str
    starts_on: date
    ends_on: date
    reason: str
    official: str | None = None


@dataclass(frozen=True)
class EndActing:
    """End an appointment before its end date."""

    actor: Actor
    deputy: str
    appointment_id: str
    reason: str


@dataclass(frozen=True)
class DeclareCutiBersama:
    """Declare ``day`` (WITA) a cuti bersama, with the decree that sets it."""

    actor: Actor
    day: date
    reason: str
    decree: str = ""


@dataclass(frozen=True)
class WithdrawCutiBersama:
    """Withdraw a cuti bersama not yet taken (the decree was revised)."""

    actor: Actor
    day: date
    reason: str
    decree: str = ""


@dataclass(frozen=True)
class ChangeOfficeHours:
    """Office hours ("08:00-16:00") Monday–Thursday and on Friday from ``effective_from`` on."""

    actor: Actor
    effective_from: date
    office_hours: str
    friday_hours: str
    reason: str
    decree: str = ""
