"""Domain errors. They carry no HTTP codes: ``api/errors.py`` maps them."""

from __future__ import annotations

from typing import Any


class AlurError(Exception):
    """Base of every error the write side raises on purpose."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(AlurError):
    """A case, task, process or user that does not exist."""


class CaseNotFound(NotFound):
    pass


class TaskNotFound(NotFound):
    pass


class ProcessNotFound(NotFound):
    pass


class NotAllowed(AlurError):
    """The actor does not hold the role this action needs."""


class NotInLane(NotAllowed):
    pass


class Conflict(AlurError):
    """The state moved on: stale version, task no longer ready, held by someone else."""


class StaleCaseVersion(Conflict):
    pass


class TaskNotReady(Conflict):
    pass


class TaskClaimedByOther(Conflict):
    pass


class CaseClosed(Conflict):
    pass


class InvalidTaskData(AlurError):
    """Submitted data does not satisfy the task's form; ``details['errors']`` per field."""


class InvalidInput(AlurError):
    """A request that is well-formed but names things that do not exist or are not allowed."""


class InvalidDefinition(AlurError):
    """A BPMN file that cannot be deployed; ``details['errors']`` lists why."""


class AuthenticationFailed(AlurError):
    pass


class RateLimited(AlurError):
    """Too many attempts in a short time (login, public portal)."""


class ServiceMisconfigured(AlurError):
    """The service refuses to start as configured (e.g. demo credentials in production)."""
