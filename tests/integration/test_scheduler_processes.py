"""``alur scheduler run`` as real processes: on PostgreSQL one is active per database and the
other stands by, taking over when the first is killed; on SQLite a second one is refused (the
store has one writing process). ``--once`` fires what is due and exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alur.bootstrap import Services
from alur.cli import main
from alur.config import PROJECT_ROOT, Config
from tests.integration.test_timers import boundary_process, deploy, start, types


def _env(config: Config) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ALUR_")}
    return {**inherited, "ALUR_DATABASE_URL": config.database_url,
            "ALUR_DATA_DIR": str(config.data_dir), "ALUR_SECRET_KEY": "test-secret",
            "PYTHONPATH": str(PROJECT_ROOT), "ALUR_PG_POOL_SIZE": "1",
            "ALUR_PG_MAX_OVERFLOW": "4"}


def _spawn(config: Config, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "alur.cli", "scheduler", "run", "--interval", "0.3"],
        env=_env(config), stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _wait_for(log: Path, text: str, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        time.sleep(0.2)
    return False


def _stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.mark.postgres
def test_one_scheduler_process_is_active_the_other_takes_over(
        config: Config, services: Services) -> None:
    if not config.is_postgres:
        pytest.skip("several scheduler processes share a PostgreSQL store only")
    logs = [config.data_dir / "scheduler-a.log", config.data_dir / "scheduler-b.log"]
    first = _spawn(config, logs[0])
    try:
        assert _wait_for(logs[0], "scheduler: active"), logs[0].read_text()
        second = _spawn(config, logs[1])
        try:
            assert _wait_for(logs[1], "scheduler: standing by"), logs[1].read_text()
            first.kill()  # SIGKILL: its session, and so its advisory lock, goes with it
            first.wait(10)
            assert _wait_for(logs[1], "scheduler: active"), logs[1].read_text()
            deploy(services, boundary_process(wait="PT1S"))
            case_id = start(services)
            deadline = time.monotonic() + 30
            while "TimerFired" not in types(services, case_id) and time.monotonic() < deadline:
                time.sleep(0.3)
            assert types(services, case_id).count("TimerFired") == 1
        finally:
            _stop(second)
    finally:
        _stop(first)


def test_sqlite_takes_one_scheduler_process(config: Config, services: Services) -> None:
    if config.is_postgres:
        pytest.skip("the SQLite store's claim")
    log = config.data_dir / "scheduler.log"
    first = _spawn(config, log)
    try:
        assert _wait_for(log, "scheduler: active"), log.read_text()
        second = subprocess.run(
            [sys.executable, "-m", "alur.cli", "scheduler", "run", "--once"],
            env=_env(config), capture_output=True, text=True, timeout=120)
        assert second.returncode == 2 and "already serves the SQLite store" in second.stderr
    finally:
        _stop(first)


def test_once_fires_what_is_due(config: Config, services: Services,
                                capsys: pytest.CaptureFixture[str]) -> None:
    deploy(services, boundary_process(wait="PT1S"))
    case_id = start(services)
    time.sleep(1.2)
    services.close()  # the CLI opens the store itself
    assert main(["scheduler", "run", "--once"], config) == 0
    assert "1 timer(s) fired" in capsys.readouterr().out
    from alur.bootstrap import bootstrap
    from alur.serving import release_store
    release_store(config)
    again = bootstrap(config)
    try:
        assert types(again, case_id).count("TimerFired") == 1
    finally:
        again.close()
