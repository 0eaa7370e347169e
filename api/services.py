"""The seam between the composition root (alur/) and the API: what the API needs of the
composed services, as Protocols, so that api/ depends on no concrete alur class.

``alur.bootstrap.Services`` satisfies ``ApiServices`` structurally (mypy checks it where
``alur`` calls ``create_app``); tests may pass anything else that does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from orchestrator.application import Orchestrator
from orchestrator.checkpoints import Anchor
from orchestrator.office_calendar import CalendarBook
from orchestrator.roles import RoleRegistry
from projections.notification_queries import NotificationQueries
from projections.queries import InboxQueries
from projections.runner import Projections


class ApiConfig(Protocol):
    """The settings the API reads (``alur.config.Config`` has them all)."""

    @property
    def data_dir(self) -> Path: ...
    @property
    def processes_dir(self) -> Path: ...
    @property
    def token_ttl_seconds(self) -> int: ...
    @property
    def secure_cookies(self) -> bool: ...
    @property
    def health_max_lag(self) -> int: ...
    @property
    def health_max_age_seconds(self) -> float: ...

    def resolved_secret_key(self) -> str: ...


class ApiServices(Protocol):
    """The write side, the read side and the shared helpers the API is built around."""

    @property
    def config(self) -> ApiConfig: ...
    @property
    def roles(self) -> RoleRegistry: ...
    @property
    def calendar(self) -> CalendarBook: ...
    @property
    def orchestrator(self) -> Orchestrator: ...
    @property
    def projections(self) -> Projections: ...
    @property
    def inbox(self) -> InboxQueries: ...
    @property
    def notifications(self) -> NotificationQueries: ...

    def anchor(self, public_key: str | None = None) -> Anchor: ...
