"""Several server processes and a projection runner on one PostgreSQL: races and kill -9.

Exactly one of many simultaneous completions of a task wins; after killing a server and the
runner mid-load and restarting them, every acknowledged command is in the log, no case is
half-written, and the projection resumes to exactly what a rebuild gives.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from alur.bootstrap import DEMO_PASSWORD, bootstrap
from alur.config import Config

pytestmark = pytest.mark.parametrize(
    "config", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """Processes of one deployment: ``alur serve`` ×2 and ``alur projections run``."""

    def __init__(self, config: Config) -> None:
        self.env = {**os.environ, "ALUR_DATABASE_URL": config.database_url,
                    "ALUR_DATA_DIR": str(config.data_dir), "ALUR_SECRET_KEY": "cluster",
                    "ALUR_PROJECTIONS_IN_PROCESS": "0", "PYTHONPATH": str(ROOT)}
        self.ports = [_free_port(), _free_port()]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, wait: bool = True) -> None:
        if name == "runner":
            args = ["projections", "run", "--interval", "0.2"]
        else:
            args = ["serve", "--port", str(self.ports[int(name[-1])])]
        log = (Path(self.env["ALUR_DATA_DIR"]) / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "alur.cli", *args], env=self.env, cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT)
        if name != "runner":
            self._wait_healthy(self.ports[int(name[-1])])
        elif wait:
            self._wait_caught_up()

    def _wait_caught_up(self) -> None:
        """The runner process takes a few seconds to start: wait until it has no lag."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[1]}/healthz",
                                            timeout=2) as response:
                    if all(p["lag"] == 0 for p in json.loads(response.read())["projections"]):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the projection runner did not catch up")

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    @staticmethod
    def _wait_healthy(port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"server on port {port} did not start")


def call(port: int, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", data=data,
                                     method="POST" if data is not None else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


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


def _token(port: int, user: str) -> str:
    status, body = call(port, "/auth/token", {"username": user, "password": DEMO_PASSWORD})
    assert status == 200, body
    return body["token"]


def test_races_and_kill_9(cluster: Cluster, config: Config) -> None:
    a, b = cluster.ports
    admin, pelapor = _token(a, "admin"), _token(a, "pelapor")

    # 1. many simultaneous completions of one task across two processes: one wins
    for _ in range(5):
        status, case = call(a, "/cases", {"process": "sop_9_3", "data": {}}, admin)
        assert status == 201
        path = f"/tasks/{case['open_tasks'][0]['id']}/complete"
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(
                lambda i, path=path: call((a, b)[i % 2], path, {"data": {}}, pelapor), range(8)))
        assert sorted(code for code, _ in results) == [200] + [409] * 7, results

    # 2. load on both servers; kill -9 a server and the runner in the middle; restart them
    acknowledged: list[dict[str, Any]] = []
    stop = threading.Event()

    def load(port: int) -> None:
        while not stop.is_set():
            try:
                status, body = call(port, "/cases", {"process": "sop_9_3", "data": {}}, admin)
                if status != 201:
                    continue
                acknowledged.append({"case": body["id"], "version": body["case_version"]})
                task = body["open_tasks"][0]["id"]
                status, done = call(port, f"/tasks/{task}/complete", {"data": {}}, pelapor)
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
