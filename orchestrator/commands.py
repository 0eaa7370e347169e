"""Commands: imperative, immutable requests to change a case or a process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Actor:
    """Who acts: a username and the role keys they hold."""

    username: str
    roles: frozenset[str] = frozenset()

    def holds(self, role: str) -> bool:
        """Whether the actor holds ``role``; a combined lane's role is among ``roles`` when
        a member is (``RoleRegistry.actor`` builds actors so)."""
        return role in self.roles


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
