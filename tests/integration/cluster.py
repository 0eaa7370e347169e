"""Processes of one deployment on one PostgreSQL schema, for multi-process tests.

``alur serve`` processes are named ``server0`` and ``server1`` (one port each); projection
runners (``alur projections run``) are named ``runner`` or ``runner0``, ``runner1``, …. Every
process connects with its own PostgreSQL application_name (``PGAPPNAME``), so a test can see
in ``pg_stat_activity`` and ``pg_locks`` which process holds what.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg

from alur.bootstrap import DEMO_PASSWORD
from alur.config import Config, eventsourcing_env
from projections.pg_runner import conninfo, lock_key

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, path: str, body: Any = None,
            token: str = "") -> tuple[int, Any, dict[str, str]]:
    """One API call (POST when there is a body): status, decoded JSON and headers."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", data=data,
                                 method="POST" if data is not None else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)


def call(port: int, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    status, decoded, _ = request(port, path, body, token)
    return status, decoded


def complete(port: int, task_path: str, data: dict[str, Any], token: str,
             case_version: int | None = None) -> tuple[int, Any]:
    """Complete a task over HTTP; the documents of ``data`` (as ``tools.form_samples`` makes
    them) go up as real files with the completion (``complete-with-files``), since data may
    cite only files uploaded with it."""
    documents = data.get("lampiran") or []
    if not documents:
        body = {"data": data, **({"case_version": case_version} if case_version else {})}
        return call(port, f"{task_path}/complete", body, token)
    boundary = uuid.uuid4().hex
    rest = {k: v for k, v in data.items() if k != "lampiran"}
    parts = [("data", None, json.dumps(rest).encode())]
    if case_version:
        parts.append(("case_version", None, str(case_version).encode()))
    parts += [("lampiran", f"contoh-{i}.pdf", f"%PDF contoh {i}".encode())
              for i, _ in enumerate(documents)]
    payload = b"".join(
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"".encode()
        + (f"; filename=\"{filename}\"\r\nContent-Type: application/pdf".encode()
           if filename else b"") + b"\r\n\r\n" + content + b"\r\n"
        for name, filename, content in parts) + f"--{boundary}--\r\n".encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1{task_path}/complete-with-files", data=payload,
        method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def healthz(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return json.loads(response.read())


def login(port: int, user: str) -> str:
    status, body = call(port, "/auth/token", {"username": user, "password": DEMO_PASSWORD})
    assert status == 200, body
    return body["token"]


class Cluster:
    """``alur serve`` ×2 and any number of ``alur projections run`` on one store."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.env = {**os.environ, "ALUR_DATABASE_URL": config.database_url,
                    "ALUR_DATA_DIR": str(config.data_dir), "ALUR_SECRET_KEY": "cluster",
                    "ALUR_PROJECTIONS_IN_PROCESS": "0", "PYTHONPATH": str(ROOT),
                    "ALUR_SCHEDULER_INTERVAL": "0",  # the scheduler has tests of its own
                    # small pools: a server shared with other test runs has max_connections
                    # for all of them (each process has a few stores; a runner a few more)
                    "ALUR_PG_POOL_SIZE": "1", "ALUR_PG_MAX_OVERFLOW": "4"}
        self.ports = [free_port(), free_port()]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._tag = uuid4().hex[:8]  # application names unique to this cluster

    def app_name(self, name: str) -> str:
        """The PostgreSQL application_name of process ``name``'s connections."""
        return f"alur-{self._tag}-{name}"

    def start(self, name: str, wait: bool = True) -> None:
        runner = name.startswith("runner")
        if runner:
            args = ["projections", "run", "--interval", "0.2"]
        else:
            args = ["serve", "--port", str(self.ports[int(name[-1])])]
        with (Path(self.env["ALUR_DATA_DIR"]) / f"{name}.log").open("ab") as log:
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "alur.cli", *args],
                env={**self.env, "PGAPPNAME": self.app_name(name)}, cwd=ROOT,
                stdout=log, stderr=subprocess.STDOUT)
        if wait and runner:
            self.wait_caught_up()
        elif wait:
            self.wait_healthy(name)

    def wait_caught_up(self, timeout: float = 60) -> None:
        """A runner process takes a few seconds to start: wait until it has no lag."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_running()
            try:
                if all(p["lag"] == 0 for p in healthz(self.ports[1])["projections"]):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the projection runner did not catch up")

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def connect(self) -> psycopg.Connection[Any]:
        """A plain connection to the cluster's database (for pg_locks, pg_stat_activity)."""
        return psycopg.connect(conninfo(eventsourcing_env(self.config)), autocommit=True)

    def lock_holders(self, conn: psycopg.Connection[Any], projection: str = "inbox") -> list[str]:
        """Names of the processes holding ``projection``'s advisory lock (the runner's key)."""
        names = {self.app_name(name): name for name in self.procs}
        rows = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext(%s)::bigint",
            (lock_key(projection, eventsourcing_env(self.config)),)).fetchall()
        return [names.get(row[0], row[0]) for row in rows]

    def drop_connections(self, conn: psycopg.Connection[Any], name: str) -> int:
        """Terminate every connection of process ``name``, as a database restart would."""
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE application_name = %s", (self.app_name(name),)).fetchall()
        return len(rows)

    def connected(self, conn: psycopg.Connection[Any]) -> set[str]:
        """Names of this cluster's processes with a connection open now."""
        names = {self.app_name(name): name for name in self.procs}
        rows = conn.execute("SELECT DISTINCT application_name FROM pg_stat_activity").fetchall()
        return {names[row[0]] for row in rows if row[0] in names}

    def log(self, name: str) -> str:
        return (Path(self.env["ALUR_DATA_DIR"]) / f"{name}.log").read_text(errors="replace")

    def _check_running(self) -> None:
        """Fail at once, with its output, if a started process has exited by itself."""
        for name, proc in self.procs.items():
            if proc.returncode is None and proc.poll() is not None:
                raise AssertionError(f"{name} exited ({proc.returncode}):\n"
                                     f"{self.log(name)[-3000:]}")

    def wait_healthy(self, name: str) -> None:
        port = self.ports[int(name[-1])]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self._check_running()
            try:
                healthz(port)
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"{name} on port {port} did not start:\n{self.log(name)[-3000:]}")
