"""The sender as the configuration describes it (used by ``alur serve`` and ``alur notify``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from alur.config import Config
from alur.notify.channels import Channel, SmtpChannel, WhatsAppChannel
from alur.notify.sender import Fault, Sender


def channels(config: Config) -> dict[str, Channel]:
    """The configured channels by name ('email', 'whatsapp'); none configured: none."""
    found: dict[str, Channel] = {}
    if config.smtp_url:
        found["email"] = SmtpChannel(config.smtp_url, config.mail_from)
    if config.whatsapp_url:
        found["whatsapp"] = WhatsAppChannel(config.whatsapp_url, config.whatsapp_token)
    return found


def sender(services: Any, fault: Fault | None = None) -> Sender:
    config: Config = services.config
    return Sender(services.orchestrator, services.notifications, channels(config),
                  base_url=config.base_url,
                  max_age=timedelta(hours=config.notify_max_age_hours), fault=fault)
