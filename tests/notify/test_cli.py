"""``alur notify run --once``, ``status`` and ``reminders`` on a served store."""

from __future__ import annotations

import dataclasses

import pytest

from alur.bootstrap import Services
from alur.cli import main
from alur.config import Config
from tests.notify.fakes import smtp_server
from tests.notify.helpers import set_profile, start_complaint


def test_notify_run_once_sends_and_status_reports(services: Services, config: Config,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    set_profile(services, "admin", email="admin@kpu-bontang.example")
    start_complaint(services)
    services.projections.catch_up()
    assert main(["notify", "status"], config=config) == 0
    assert "pending       1" in capsys.readouterr().out
    with smtp_server() as (url, inbox):
        configured = dataclasses.replace(config, smtp_url=url)
        assert main(["notify", "run", "--once"], config=configured) == 0
        assert "sent 1" in capsys.readouterr().out
        assert main(["notify", "run", "--once"], config=configured) == 0
        assert len(inbox.messages) == 1
    assert main(["notify", "status"], config=config) == 0
    assert "sent          1" in capsys.readouterr().out
