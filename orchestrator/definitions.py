"""Deployed process definitions: immutable, numbered versions of a BPMN file per process key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate


def definition_id(key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:process:{key}")


def directory_id(kind: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:directory:{kind}")


@dataclass(frozen=True)
class DeployedVersion:
    version: int
    sha256: str
    name: str
    deployed_by: str
    deployed_at: str
    source: str = ""  # "file:<path>" from disk, "modeler" or "api"; "" before it was recorded


class ProcessDefinition(ChainedAggregate):
    """Every deployed version of one process; a version's BPMN is never overwritten."""

    # approvals of sensitivity changes (definitions registered before they existed have none)
    sensitivity_approvals: tuple[dict[str, Any], ...] = ()

    @staticmethod
    def create_id(key: str) -> UUID:
        return definition_id(key)

    @event("Registered")
    def __init__(self, key: str) -> None:
        self.key = key
        self.versions: list[dict[str, Any]] = []
        self.bpmn: dict[int, str] = {}

    @event("VersionDeployed")
    def deploy(self, version: int, bpmn: str, sha256: str, name: str, actor: str,
               deployed_at: str, source: str = "") -> None:
        self.versions.append({"version": version, "sha256": sha256, "name": name,
                              "deployed_by": actor, "deployed_at": deployed_at,
                              "source": source})
        self.bpmn[version] = bpmn

    @event("SensitivityApproved")
    def approve_sensitivity(self, sha256: str, sensitive: bool, handling_role: str | None,
                            previous_sensitive: bool, previous_handling_role: str | None,
                            approver: str, approved_at: str) -> None:
        """An administrator approved that the BPMN ``sha256`` may change the sensitivity."""
        self.sensitivity_approvals = (*self.sensitivity_approvals, {
            "sha256": sha256, "sensitive": sensitive, "handling_role": handling_role,
            "previous_sensitive": previous_sensitive,
            "previous_handling_role": previous_handling_role, "approver": approver,
            "approved_at": approved_at})

    @property
    def latest(self) -> int:
        return self.versions[-1]["version"] if self.versions else 0

    def version_info(self, version: int | None = None) -> DeployedVersion:
        info = self.versions[(version or self.latest) - 1]
        return DeployedVersion(**info)


class Directory(ChainedAggregate):
    """A small index of names (process keys, usernames): the write side's own listing."""

    @staticmethod
    def create_id(kind: str) -> UUID:
        return directory_id(kind)

    @event("Created")
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.names: list[str] = []

    @event("Entered")
    def enter(self, name: str) -> None:
        self.names.append(name)
