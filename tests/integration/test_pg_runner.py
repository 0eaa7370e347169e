"""On PostgreSQL the library's ProjectionRunner follows the log; one runner per projection."""

from __future__ import annotations

import threading
import time

import pytest

from alur.bootstrap import Services
from alur.config import eventsourcing_env
from orchestrator.application import Orchestrator
from projections.pg_runner import run_projection
from tests.integration.test_inbox_projection import mixed_workload

pytestmark = pytest.mark.parametrize(
    "config", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


def test_one_active_runner_follows_the_log_and_equals_a_rebuild(services: Services) -> None:
    env = eventsourcing_env(services.config)
    spec = services.specs[0]
    stop = threading.Event()
    results: list[bool] = []
    first = threading.Thread(
        target=lambda: results.append(run_projection(Orchestrator, spec, env, stop, 0.2)))
    first.start()
    time.sleep(1.0)
    assert run_projection(Orchestrator, spec, env, stop) is False  # the lock is held
    mixed_workload(services)
    app = services.orchestrator
    services.projections.view("inbox").wait(app.name, app.recorder.max_notification_id(),
                                            timeout=20)
    stop.set()
    first.join(timeout=60)  # a loaded machine: give it time, but never leave it running
    assert not first.is_alive() and results == [True]
    live = services.inbox.dump()
    assert len(live["cases"]) == 6
    services.projections.rebuild("inbox")
    assert services.inbox.dump() == live
