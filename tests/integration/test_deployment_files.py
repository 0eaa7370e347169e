"""docker/ cannot be run here (no engine); check what can be checked without one."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import yaml

from alur import config as config_module
from alur.cli import build_parser

DOCKER = Path(__file__).resolve().parents[2] / "docker"
KNOWN = set(re.findall(r'"(ALUR_[A-Z_]+)"', inspect.getsource(config_module)))


def _services() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]


def test_compose_commands_are_cli_commands() -> None:
    for name, service in _services().items():
        command = service.get("command")
        if command and command[0] == "alur":
            build_parser().parse_args(command[1:])  # exits (SystemExit) if unknown
        elif name != "db":
            assert command is None, f"{name}: unexpected command {command}"


def test_compose_variables_are_read_by_config() -> None:
    for name, service in _services().items():
        for key in (service.get("environment") or {}):
            if key.startswith("ALUR_"):
                assert key in KNOWN, f"{name}: {key} is not read by Config.from_env"


def test_dockerfile_entrypoint_exists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = (DOCKER / "Dockerfile").read_text()
    assert '"alur.wsgi:create()"' in text
    monkeypatch.setenv("ALUR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ALUR_PROJECTIONS_IN_PROCESS", "0")
    from alur.wsgi import create

    app = create()
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["alur"].close()
