"""Several server processes and a projection runner on one PostgreSQL: races and kill -9.

Exactly one of many simultaneous completions of a task wins; after killing a server and the
runner mid-load and restarting them, every acknowledged command is in the log, no case is
half-written, and the projection resumes to exactly what a rebuild gives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import pytest

from alur.bootstrap import bootstrap
from alur.config import Config
from tests.integration.cluster import Cluster, call, login
from tests.starts import complaint
from tools.form_samples import sample

pytestmark = pytest.mark.parametrize(
    "config", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


@pytest.fixture
def cluster(config: Config) -> Iterator[Cluster]:
    cluster = Cluster(config)
    try:
        cluster.start("server0")  # deploys and seeds; the second finds nothing to do
        cluster.start("server1")
        cluster.start("runner")
        yield cluster
    finally:
        cluster.stop()


def test_races_and_kill_9(cluster: Cluster, config: Config) -> None:
    a, b = cluster.ports
    admin, pelapor = login(a, "admin"), login(a, "pelapor")

    # 1. many simultaneous completions of one task across two processes: one wins
    for _ in range(5):
        status, case = call(a, "/cases", {"process": "sop_9_3", "data": complaint()}, admin)
        assert status == 201
        path = f"/tasks/{case['open_tasks'][0]['id']}/complete"
        data = {"data": sample(case["open_tasks"][0]["form"])}
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(
                lambda i, path=path, data=data: call((a, b)[i % 2], path, data, pelapor),
                range(8)))
        assert sorted(code for code, _ in results) == [200] + [409] * 7, results

    # 2. load on both servers; kill -9 a server and the runner in the middle; restart them
    acknowledged: list[dict[str, Any]] = []
    stop = threading.Event()

    def load(port: int) -> None:
        while not stop.is_set():
            try:
                status, body = call(port, "/cases",
                    {"process": "sop_9_3", "data": complaint()}, admin)
                if status != 201:
                    continue
                acknowledged.append({"case": body["id"], "version": body["case_version"]})
                task = body["open_tasks"][0]
                status, done = call(port, f"/tasks/{task['id']}/complete",
                                    {"data": sample(task["form"])}, pelapor)
                if status == 200:
                    acknowledged.append({"case": done["case_id"], "version": done["case_version"]})
            except OSError:
                time.sleep(0.05)  # the server was killed: connection refused

    threads = [threading.Thread(target=load, args=(port,)) for port in (a, a, b, b)]
    for thread in threads:
        thread.start()
    time.sleep(2.0)
    cluster.kill("server0")
    cluster.kill("runner")
    time.sleep(1.0)
    cluster.start("runner", wait=False)  # under load: lag is checked at the end instead
    cluster.start("server0")
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(acknowledged) > 20

    _check_nothing_lost(config, acknowledged)


def _check_nothing_lost(config: Config, acknowledged: list[dict[str, Any]]) -> None:
    services = bootstrap(Config(database_url=config.database_url, data_dir=config.data_dir,
                                secret_key="cluster"))
    try:
        app = services.orchestrator
        for ack in acknowledged:  # every acknowledged command is in the log
            case = app.get_case(UUID(ack["case"]))
            assert case.version >= ack["version"]
        for case_id in {UUID(ack["case"]) for ack in acknowledged}:  # nothing half-written
            case = app.get_case(case_id)
            assert case.status == "completed" or case.open_tasks, case_id
            types = [e.type_name for e in app.case_events(case_id)]
            for i, kind in enumerate(types):
                if kind == "TaskCompleted":
                    assert i + 1 < len(types) and types[i + 1] in (
                        "TaskActivated", "GatewayTaken", "CaseCompleted"), types
        head = app.recorder.max_notification_id()
        services.projections.view("inbox").wait(app.name, head, timeout=30)
        live = services.inbox.dump()
        services.projections.rebuild("inbox")
        assert services.inbox.dump() == live
    finally:
        services.close()
