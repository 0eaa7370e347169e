"""Shared steps of the notification tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from alur.bootstrap import Services
from alur.notify.channels import Channel, SmtpChannel, WhatsAppChannel
from alur.notify.sender import Fault, Sender
from orchestrator.commands import Actor, StartCase
from tests.starts import complaint
from tests.steps import complete_step

MAIL_FROM = "Alur <alur@kpu-bontang.example>"


class Crash(BaseException):
    """The sender process dying at an injected point (nothing catches a BaseException)."""


def crash_at(stage: str) -> Fault:
    def fault(at: str) -> None:
        if at == stage:
            raise Crash(stage)
    return fault


def set_profile(services: Services, username: str, email: str = "", whatsapp: str = "",
                **more: str) -> None:
    app = services.orchestrator
    user = app.find_user(username)
    assert user is not None
    user.update_profile(full_name=more.get("full_name", user.full_name), nip=more.get("nip", ""),
                        jabatan=more.get("jabatan", ""), email=email, whatsapp=whatsapp,
                        actor=username)
    app.save_user(user)


def actor(services: Services, username: str) -> Actor:
    user = services.orchestrator.find_user(username)
    assert user is not None
    return services.roles.actor(user.username, user.roles)


def start_complaint(services: Services, by: str = "admin", **data: Any) -> UUID:
    """A 9.3 complaint whose first step (the reporter's, row 1) is done: it waits on admin."""
    result = services.orchestrator.start_case(
        StartCase("sop_9_3", complaint(**data), actor(services, by)))
    complete_step(services.orchestrator, result.case_id, actor(services, "pelapor"))
    return result.case_id


def sender(services: Services, smtp_url: str = "", whatsapp_url: str = "",
           fault: Fault | None = None) -> Sender:
    channels: dict[str, Channel] = {}
    if smtp_url:
        channels["email"] = SmtpChannel(smtp_url, MAIL_FROM, timeout=5)
    if whatsapp_url:
        channels["whatsapp"] = WhatsAppChannel(whatsapp_url, "rahasia", timeout=5)
    return Sender(services.orchestrator, services.notifications, channels,
                  base_url="https://alur.example", max_age=timedelta(days=3), fault=fault)


def items(services: Services, username: str) -> list[dict[str, Any]]:
    services.projections.catch_up()
    return services.notifications.items(username).items


def deliveries(services: Services, state: str | None = None) -> list[dict[str, Any]]:
    services.projections.catch_up()
    rows = services.notifications.view.rows("SELECT * FROM notify_deliveries ORDER BY key")
    return [r for r in rows if state is None or r["state"] == state]
