"""One undecodable event must not stop recovery: on the real stores, a record whose state is
garbage or whose topic names no class is skipped by the projections (recorded, tracking
advanced), and ``alur serve`` starts past a bad process definition and a bad user."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from alur.bootstrap import Services
from alur.cli import main
from alur.config import Config
from orchestrator.definitions import definition_id
from orchestrator.users import user_id
from tests.integration.cluster import ROOT, free_port
from tests.integration.rawstore import RawStore
from tests.integration.tamper import set_topic
from tests.integration.test_chain_verification import walked_case

GARBAGE = b"\x00\xffnot an event"
UNKNOWN = "orchestrator.case:Case.NoSuchEvent"


def corrupt_two(services: Services, config: Config) -> tuple[UUID, UUID]:
    """Case ``bad`` gets garbage at event 4 and an unknown topic at event 5; ``good`` is clean."""
    bad, good = walked_case(services), walked_case(services)
    raw = RawStore(config)
    raw.set_state(bad, 4, GARBAGE)
    set_topic(raw, bad, 5, UNKNOWN)
    return bad, good


def inbox_status(services: Services) -> dict[str, Any]:
    """The inbox's row of the status (the other projections skip the same records)."""
    return next(r for r in services.projections.status() if r["name"] == "inbox")


def inbox_cases(services: Services) -> set[str]:
    rows = services.projections.view("inbox").rows("SELECT case_id FROM inbox_cases")
    return {row["case_id"] for row in rows}


def test_a_rebuild_skips_bad_records_and_reports_them(services: Services,
                                                      config: Config) -> None:
    bad, good = corrupt_two(services, config)
    head = services.orchestrator.recorder.max_notification_id()
    applied = services.projections.rebuild("inbox")
    assert applied == head  # every notification accounted for: applied or skipped
    status = inbox_status(services)
    assert (status["lag"], status["skipped"]) == (0, 2)
    first, second = services.projections.skipped("inbox")
    assert (first["originator_id"], first["originator_version"]) == (str(bad), 4)
    assert "MapperDeserialisationError" in first["error"]
    assert (second["originator_id"], second["originator_version"], second["topic"]) \
        == (str(bad), 5, UNKNOWN)
    assert {str(bad), str(good)} <= inbox_cases(services)  # the rest was applied
    assert services.projections.rebuild("inbox") == head  # again: the same two, not four
    assert inbox_status(services)["skipped"] == 2


def test_the_live_catch_up_skips_a_bad_record_and_goes_on(services: Services,
                                                          config: Config) -> None:
    services.projections.catch_up()
    bad = walked_case(services, steps=1)
    RawStore(config).set_state(bad, 1, GARBAGE)  # before the projection has seen it
    later = walked_case(services, steps=1)
    services.projections.catch_up()
    status = inbox_status(services)
    assert (status["lag"], status["skipped"]) == (0, 1)
    assert str(later) in inbox_cases(services) and str(bad) not in inbox_cases(services)


def test_cli_rebuild_and_status_list_the_skipped(services: Services, config: Config,
                                                 capsys: pytest.CaptureFixture) -> None:
    bad, _ = corrupt_two(services, config)
    assert main(["projections", "rebuild"], config) == 0
    captured = capsys.readouterr()
    assert "inbox: rebuilt from" in captured.out
    assert "skipped notification" in captured.err and f"{bad} v4" in captured.err
    assert main(["projections", "status"], config) == 0
    out = capsys.readouterr().out
    assert '"skipped": 2' in out and f"{bad} v5, {UNKNOWN}" in out


@pytest.fixture
def serve(config: Config) -> Iterator[Any]:
    """Start a real ``alur serve`` on the test's store; yields a function that waits for it."""
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> tuple[int, Path]:
        port, log = free_port(), config.data_dir / "serve.log"
        env = {**os.environ, "ALUR_DATA_DIR": str(config.data_dir),
               "ALUR_DATABASE_URL": config.database_url, "ALUR_SECRET_KEY": "serve-test",
               "ALUR_SCHEDULER_INTERVAL": "0",
               "ALUR_CHECKPOINT_INTERVAL": "0.5", "PYTHONPATH": str(ROOT),
               "ALUR_PG_POOL_SIZE": "1", "ALUR_PG_MAX_OVERFLOW": "4"}
        with log.open("wb") as out:
            procs.append(subprocess.Popen([sys.executable, "-m", "alur.cli", "serve", "--port",
                                           str(port)], env=env, cwd=ROOT, stdout=out,
                                          stderr=subprocess.STDOUT))
        return port, log

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.postgres
def test_the_postgres_runner_process_gets_past_a_bad_record(services: Services,
                                                            config: Config) -> None:
    """``alur projections run`` on PostgreSQL uses the library's runner, which stops at an
    event it cannot decode; the catch-up loop records it and the runner resumes after it."""
    if not config.is_postgres:
        pytest.skip("the library's runner serves PostgreSQL only")
    bad, good = corrupt_two(services, config)
    env = {**os.environ, "ALUR_DATA_DIR": str(config.data_dir), "PYTHONPATH": str(ROOT),
           "ALUR_DATABASE_URL": config.database_url, "ALUR_PROJECTIONS_IN_PROCESS": "0",
           "ALUR_PG_POOL_SIZE": "1", "ALUR_PG_MAX_OVERFLOW": "4"}
    log = config.data_dir / "runner.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "alur.cli", "projections", "run",
                                 "--interval", "0.2"], env=env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = inbox_status(services)
            if status["lag"] == 0:
                break
            time.sleep(0.3)
        assert (status["lag"], status["skipped"]) == (0, 2), log.read_text()[-3000:]
        walked_case(services, steps=1)  # and it keeps following the log
        deadline = time.monotonic() + 30
        while inbox_status(services)["lag"] and time.monotonic() < deadline:
            time.sleep(0.3)
        assert inbox_status(services)["lag"] == 0, log.read_text()[-3000:]
        assert {str(bad), str(good)} <= inbox_cases(services)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _healthz(port: int, proc_log: Path, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                return json.loads(r.read())
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"alur serve did not start:\n{proc_log.read_text()[-3000:]}")


def test_serve_starts_past_a_bad_definition_a_bad_user_and_a_bad_case(
        services: Services, config: Config, serve: Any) -> None:
    corrupt_two(services, config)
    raw = RawStore(config)
    raw.set_state(definition_id("sop_9_3"), 1, GARBAGE)
    set_topic(raw, user_id("pelapor"), 1, "orchestrator.users:User.Vanished")
    port, log = serve()
    health = _healthz(port, log)
    inbox = next(p for p in health["projections"] if p["name"] == "inbox")
    # the two case events; the definition and the user were projected before they went bad
    assert inbox["lag"] == 0 and inbox["skipped"] == 2, health
    deadline = time.monotonic() + 30  # the checkpoint thread writes one at start
    while "checkpoint " not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    output = log.read_text()
    assert "warning: process sop_9_3 (sop-9.3.bpmn) could not be read" in output, output
    assert "warning: user pelapor could not be read" in output, output
    assert "projection inbox skipped 2 notification(s)" in output, output
    assert "checkpoint " in output and config.checkpoint_path.exists(), output
