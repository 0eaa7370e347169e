"""Commands: imperative, immutable requests to change a case or a process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Actor:
    """Who acts: a username and the role keys they hold."""

    username: str
    roles: frozenset[str] = frozenset()

    def holds(self, role: str) -> bool:
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
