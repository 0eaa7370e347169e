"""The production shape for the HTTP benchmarks, on a fresh store: on PostgreSQL gunicorn with
N sync workers serving ``alur.wsgi:create()`` and one ``alur projections run`` process (as
``docker/Dockerfile`` and ``docker/compose.yaml`` run them); on SQLite the one serving process
it allows (``alur.serving``): one gunicorn worker with threads, projections in process.
Started, waited for and stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import psycopg

from alur.config import PROJECT_ROOT
from benchmarks.stores import Store

APP = "alur.wsgi:create()"
APP_NAME = "alur-bench-http"  # PGAPPNAME prefix of the cluster's connections (+ "-<process>")
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (gunicorn's workers of its master)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class Cluster:
    """gunicorn (master and workers) and the projection runner of one benchmark store
    (processes deployed and users seeded beforehand); started on entering the block, stopped
    on leaving it, also on error."""

    def __init__(self, store: Store, workers: int, app: str = APP,
                 env: dict[str, str] | None = None, threads: int = 1,
                 runner: bool = True) -> None:
        """``threads`` > 1: gthread workers; ``runner`` False: projections in the server."""
        self.store, self.workers, self.app = store, workers, app
        self.threads, self.runner = threads, runner
        self.port = free_port()
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("ALUR_")}
        self.env = {**inherited, "ALUR_DATABASE_URL": store.config.database_url,
                    "ALUR_DATA_DIR": str(store.directory), "ALUR_SECRET_KEY": "bench-http",
                    "ALUR_PROJECTIONS_IN_PROCESS": "0" if runner else "1",
                    "ALUR_SCHEDULER_INTERVAL": "0", **(env or {})}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the runner and gunicorn; return once the server answers, the runner has
        caught up and every worker is forked (a worker still booting takes no connection:
        the benchmark's warm-up covers that)."""
        if self.runner:
            self._spawn("runner", [sys.executable, "-m", "alur.cli", "projections", "run"])
        threads = ["--threads", str(self.threads)] if self.threads > 1 else []
        self._spawn("gunicorn", [sys.executable, "-m", "gunicorn", "--workers",
                                 str(self.workers), *threads, "--bind",
                                 f"127.0.0.1:{self.port}", self.app])
        self._wait(self._caught_up, "the server to answer and the projection runner to catch up")
        self._wait(lambda: len(self.worker_pids()) == self.workers, "every gunicorn worker")

    def _spawn(self, name: str, argv: list[str]) -> None:
        with (self.store.directory / f"{name}.log").open("ab") as log:
            self.procs[name] = subprocess.Popen(
                argv, env={**self.env, "PGAPPNAME": f"{APP_NAME}-{name}"}, cwd=PROJECT_ROOT,
                stdout=log, stderr=subprocess.STDOUT)

    def _wait(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}:\n"
                                       f"{self.log_tail(name)}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what}:\n{self.log_tail('gunicorn')}\n"
                           f"{self.log_tail('runner')}")

    def _caught_up(self) -> bool:
        """``/healthz`` answers and every projection has no lag."""
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                return all(p["lag"] == 0 for p in json.loads(response.read())["projections"])
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        return children(self.procs["gunicorn"].pid) if "gunicorn" in self.procs else []

    def backend_pids(self) -> list[int]:
        """The PostgreSQL backends serving this cluster's connections (none on SQLite)."""
        if not self.store.base_url:
            return []
        with psycopg.connect(self.store.base_url, autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s",
                                (f"{APP_NAME}-%",)).fetchall()
        return [int(row[0]) for row in rows]

    def pids(self) -> dict[str, list[int]]:
        """Process ids by role, for CPU accounting."""
        master = self.procs["gunicorn"].pid
        runner = [self.procs["runner"].pid] if "runner" in self.procs else []
        return {"gunicorn": [master, *self.worker_pids()], "runner": runner,
                "postgres": self.backend_pids()}

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.store.directory / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(f"  {name}| {line}" for line in text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM (gunicorn: graceful shutdown of its workers), then SIGKILL if needed."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT_S)

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
