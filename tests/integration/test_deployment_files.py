"""docker/ cannot be run here (no engine); check what can be checked without one.

Every command the compose file and the Dockerfile run is a real ``alur`` command (parsed by the
CLI's own parser) or gunicorn on an importable ``alur.wsgi:create()``; every ``ALUR_*`` variable
they set is one ``Config.from_env`` reads; what production requires is set.
"""

from __future__ import annotations

import importlib
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from alur.cli import build_parser
from alur.config import Config

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?+][^}]*)?\}")


def _read_by_from_env() -> set[str]:
    """The variables ``Config.from_env`` looks up (recorded from a call, not grepped)."""
    read: set[str] = set()

    class Recording(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:
            read.add(key)
            return super().get(key, default)

        def __getitem__(self, key: str) -> str:
            read.add(key)
            return super().__getitem__(key)

    Config.from_env(Recording())
    return read


READ = _read_by_from_env()


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def _services() -> dict[str, Any]:
    return _compose()["services"]


def _image_services() -> dict[str, Any]:
    """The services that run the Alur image (built from docker/Dockerfile)."""
    return {name: s for name, s in _services().items() if "build" in s}


def _dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = (DOCKER / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _dockerfile_cmd() -> list[str]:
    (cmd,) = [line.removeprefix("CMD ") for line in _dockerfile() if line.startswith("CMD ")]
    argv = json.loads(cmd)  # exec form: no shell in between
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), cmd
    return argv


def _dockerfile_env() -> dict[str, str]:
    """ENV of the final stage (the image the services run)."""
    lines = _dockerfile()
    last_from = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    env: dict[str, str] = {}
    for line in lines[last_from:]:
        if line.startswith("ENV "):
            env.update(item.split("=", 1) for item in shlex.split(line.removeprefix("ENV ")))
    return env


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    if isinstance(command, str):
        command = shlex.split(command)
    return command or _dockerfile_cmd()


def _interpolated(value: Any) -> str:
    """A compose value with ``${VAR}``, ``${VAR:?msg}`` … replaced by a stand-in."""
    return _INTERPOLATION.sub(lambda m: f"set-{m.group(1).lower()}", str(value))


def _check_alur_command(name: str, argv: list[str]) -> tuple[str, ...]:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"{name}: `alur {' '.join(argv)}` is not an alur command")
    assert callable(getattr(args, "func", None)), f"{name}: `alur {' '.join(argv)}` is incomplete"
    return tuple(a for a in (args.command, getattr(args, "action", None)) if a)


def _check_gunicorn_command(name: str, argv: list[str]) -> None:
    target = argv[-1]  # gunicorn [OPTIONS] [WSGI_APP]
    assert target == "alur.wsgi:create()", f"{name}: gunicorn serves {target}"
    module, _, factory = target.partition(":")
    assert callable(getattr(importlib.import_module(module), factory.removesuffix("()")))


def test_commands_are_cli_commands_or_gunicorn_on_the_wsgi_factory() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["alur"] == "alur.cli:main"  # what `alur` runs in the image
    ran: set[tuple[str, ...]] = set()
    for name, service in _image_services().items():
        argv = _command(service)
        if argv[0] == "alur":
            ran.add(_check_alur_command(name, argv[1:]))
        elif argv[0] == "gunicorn":
            _check_gunicorn_command(name, argv)
            ran.add(("gunicorn",))
        else:
            pytest.fail(f"{name}: runs {argv}, neither alur nor gunicorn")
    for name, service in _services().items():  # the others run their own images as they are
        assert "build" in service or ("image" in service and "command" not in service), name
    # the release step, the API and, because the API does not project, the runner; and the
    # signed checkpoints of the store
    assert {("processes", "deploy"), ("gunicorn",), ("projections", "run"),
            ("audit", "checkpoint")} <= ran, ran


def test_the_dockerfile_cmd_is_gunicorn_on_the_wsgi_factory() -> None:
    argv = _dockerfile_cmd()
    assert argv[0] == "gunicorn"
    _check_gunicorn_command("Dockerfile CMD", argv)


def test_compose_and_dockerfile_variables_are_read_by_config() -> None:
    assert {"ALUR_DATABASE_URL", "ALUR_SECRET_KEY", "ALUR_ENV"} <= READ  # the recording works
    for name, service in _services().items():
        for key in (service.get("environment") or {}):
            if key.startswith("ALUR_"):
                assert key in READ, f"{name}: {key} is not read by Config.from_env"
    for key in _compose().get("x-alur-env") or {}:
        assert key in READ, f"x-alur-env: {key} is not read by Config.from_env"
    for key in _dockerfile_env():
        if key.startswith("ALUR_"):
            assert key in READ, f"Dockerfile: {key} is not read by Config.from_env"


def test_compose_sets_what_production_requires() -> None:
    db = _services()["db"]["environment"]
    for name, service in _image_services().items():
        raw = service.get("environment") or {}
        for key in ("ALUR_SECRET_KEY", "ALUR_SENSITIVE_KEY",
                    "ALUR_CHECKPOINT_KEY"):  # compose refuses to start without
            assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", str(raw.get(key, ""))), f"{name}: {key}"
        env = {**_dockerfile_env(), **{k: _interpolated(v) for k, v in raw.items()}}
        config = Config.from_env(env)
        assert config.env == "production", name
        assert config.secret_key and config.sensitive_key and config.checkpoint_key, name
        assert config.is_postgres, f"{name}: several processes need one PostgreSQL store"
        url = urlparse(config.database_url)
        assert (url.hostname, url.path.lstrip("/"), url.username) \
            == ("db", db["POSTGRES_DB"], db["POSTGRES_USER"]), f"{name}: {config.database_url}"
        assert not config.projections_in_process, f"{name}: the projector service projects"
        assert config.processes_dir == Path("/app/processes"), name


def test_checkpoints_go_to_a_volume_of_their_own_that_the_api_reads() -> None:
    services = _services()
    path = Path(Config.from_env({k: _interpolated(v) for k, v in
                                 services["checkpointer"]["environment"].items()}
                                ).checkpoint_path)
    argv = _command(services["checkpointer"])
    assert argv[:3] == ["alur", "audit", "checkpoint"] and "--every" in argv
    assert build_parser().parse_args(argv[1:]).every == 300
    for name, mode in (("checkpointer", ""), ("api", ":ro")):
        assert f"checkpoints:{path.parent}{mode}" in services[name]["volumes"], name
    assert "checkpoints" in _compose()["volumes"]
    assert any(f"-o alur {path.parent}" in line for line in _dockerfile()), \
        "the image must create the directory, owned by the user it runs as"


def test_dockerfile_entrypoint_exists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ALUR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ALUR_PROJECTIONS_IN_PROCESS", "0")
    from alur.serving import release_store
    from alur.wsgi import create

    app = create()
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["alur"].close()
    release_store(app.extensions["alur"].config)
