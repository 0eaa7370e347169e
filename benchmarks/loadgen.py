"""The load generator of http_completions, on loopback: a few OS processes (so that it does
not queue behind one GIL), each with a few threads; every thread is one virtual user on its
own ``http.client`` connection (HTTP/1.1 keep-alive where the server keeps the connection
open; gunicorn's sync workers close it after each response, and the client reconnects).

Every request is recorded as ``(kind, status, began, ended)``, with times on the system-wide
monotonic clock (``time.monotonic``, CLOCK_MONOTONIC on Linux), so that the parent can cut
the measuring window out of every process's samples. ``status`` is the HTTP status, or the
exception's name when no response came.
"""

from __future__ import annotations

import hashlib
import http.client
import itertools
import json
import multiprocessing
import queue
import random
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from types import TracebackType
from typing import Any, Protocol

from alur.bootstrap import DEMO_PASSWORD
from benchmarks import workload

Sample = tuple[str, str, float, float]  # kind, status, began, ended
TIMEOUT_S = 30.0
READY_TIMEOUT_S = 180.0  # logins of every virtual user
API = "/api/v1"
EXAMPLE_BYTES = 300
# gunicorn's gthread workers close a keep-alive connection idle for 2 s (``--keep-alive``);
# a request sent into it meanwhile fails (BrokenPipeError), so a user idle longer reconnects
IDLE_RECONNECT_S = 1.0
STATIC_PATH = "/static/css/alur.css"  # a 10 KB file served by Flask; no store, no session


def ok(status: str) -> bool:
    return status.startswith("2")


class Client:
    """One connection of one virtual user; records every request it makes."""

    def __init__(self, host: str, port: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
        self.samples: list[Sample] = []
        self.examples: dict[str, str] = {}  # "kind status" → the first such answer's body
        self.last = time.monotonic()  # when the last request ended

    def call(self, kind: str, method: str, path: str, body: Any = None, token: str = "",
             parse: bool = True, multipart: tuple[str, bytes] | None = None,
             ) -> tuple[str, Any]:
        """One request: ``body`` as JSON, or with ``multipart`` (boundary, encoded parts)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = None
        if multipart is not None:
            headers["Content-Type"] = f"multipart/form-data; boundary={multipart[0]}"
            payload = multipart[1]
        elif body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body).encode()
        began = time.monotonic()
        if began - self.last > IDLE_RECONNECT_S:  # the server may have closed it meanwhile
            self.conn.close()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data, status = response.read(), str(response.status)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()  # the next request opens a new connection
            data, status = b"", type(exc).__name__
        self.last = time.monotonic()
        self.samples.append((kind, status, began, self.last))
        if not ok(status):
            self.examples.setdefault(f"{kind} {status}", data[:EXAMPLE_BYTES].decode(
                errors="replace"))
        return status, json.loads(data) if parse and ok(status) and data else None


LOGIN_ATTEMPTS = 20
REFUSED_LOGIN = "login_refused"


def login(client: Client, user: str) -> str:
    """A bearer token for the demo ``user``. A login the server refuses with 429 (its hashing
    pool is busy with the other users' logins, or the throttle) is tried again after a pause;
    those refusals are recorded as ``login_refused`` samples (not errors: the load's own
    set-up crowd, before any measuring)."""
    for attempt in range(LOGIN_ATTEMPTS):
        status, body = client.call("login", "POST", f"{API}/auth/token",
                                   {"username": user, "password": DEMO_PASSWORD})
        if ok(status):
            return str(body["token"])
        if status != "429":
            break
        client.samples[-1] = (REFUSED_LOGIN, *client.samples[-1][1:])
        time.sleep(0.2 * (attempt + 1) + random.random() * 0.3)
    raise RuntimeError(f"login as {user} answered {status}")


class VirtualUser(Protocol):
    client: Client

    def setup(self) -> None: ...

    def step(self) -> None: ...


EVIDENCE = ("bukti.pdf", b"%PDF-1.4\n% alur benchmark evidence\n" + b"0" * 2000 + b"\n%%EOF\n")
BOUNDARY = "alur-bench-boundary-7d3f"


def task_path(case_id: str, task_id: str, command: str) -> str:
    """A task command on the write side: ``/cases/<case>/tasks/<task>/<command>``."""
    return f"{API}/cases/{case_id}/tasks/{task_id}/{command}"


def multipart(data: dict[str, Any], file: tuple[str, bytes]) -> tuple[str, bytes]:
    """A ``complete-with-files`` body: the form's ``data`` as JSON and one ``lampiran``."""
    name, content = file
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="data"\r\n\r\n'.encode()
        + json.dumps(data).encode() + b"\r\n",
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="lampiran"; '
        f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content + b"\r\n",
        f"--{BOUNDARY}--\r\n".encode()]
    return BOUNDARY, b"".join(parts)


class Walker:
    """Walks SOP 9.3 cases to their end (benar branch), each case its own: starts one as
    ``admin``, completes each open task as the demo user of the task's lane (logged in once
    each) on the write side (``POST /cases/<id>/tasks/<task>/complete``), and reads the case
    (``GET /cases/<id>``) for its next open task. A step whose form requires attachments
    uploads one small PDF with the completion the first time in a case
    (``…/complete-with-files``) and cites that file again later (a case may cite its own)."""

    STARTER = "admin"
    numbers = itertools.count()

    def __init__(self, client: Client) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}
        self.case: dict[str, Any] | None = None
        self.uploaded: dict[str, Any] | None = None  # the case's evidence, once uploaded

    def setup(self) -> None:
        for user in workload.LANES:
            self.tokens[user] = login(self.client, user)

    def step(self) -> None:
        task = self._open_task()
        if task is None:
            return
        token = self.tokens[task["lane"]]
        data = workload.step_data(task["element_id"])
        if "lampiran" not in data:
            status, _ = self.client.call(
                "complete", "POST", task_path(self.case_id, task["id"], "complete"),
                {"data": data}, token)
        elif self.uploaded is not None:
            status, _ = self.client.call(
                "complete", "POST", task_path(self.case_id, task["id"], "complete"),
                {"data": {**data, "lampiran": [self.uploaded]}}, token)
        else:
            del data["lampiran"]  # the upload is appended to it
            status, _ = self.client.call(
                "complete", "POST", task_path(self.case_id, task["id"], "complete-with-files"),
                token=token, multipart=multipart(data, EVIDENCE))
            name, content = EVIDENCE
            self.uploaded = {"nama": name, "sha256": hashlib.sha256(content).hexdigest(),
                             "ukuran": len(content)}
        if not ok(status):
            self.case = None  # leave the case; an error is counted, not retried
            return
        status, self.case = self.client.call("case", "GET", f"{API}/cases/{self.case_id}",
                                             token=token)

    @property
    def case_id(self) -> str:
        assert self.case is not None
        return str(self.case["id"])

    def _open_task(self) -> dict[str, Any] | None:
        if self.case and self.case["status"] == "active" and self.case["open_tasks"]:
            return dict(self.case["open_tasks"][0])  # SOP 9.3 has one open task at a time
        self.uploaded = None
        status, self.case = self.client.call(
            "start", "POST", f"{API}/cases",
            {"process": workload.PROCESS, "data": workload.case_data(next(self.numbers))},
            self.tokens[self.STARTER])
        if not ok(status):
            time.sleep(0.05)  # do not spin on a failing start
            return None
        return self._open_task()


class OneTask:
    """One-task process instances (``workload.ONE_TASK``: start, one user task, end), one
    after another, as the lane's demo user ``admin``: ``POST /cases`` (start; the answer
    names the open task), claim and complete on the write side. A successful instance is
    also recorded as an ``instance`` sample from the start's beginning to the completion's
    end."""

    USER = "admin"

    def __init__(self, client: Client) -> None:
        self.client = client
        self.token = ""

    def setup(self) -> None:
        self.token = login(self.client, self.USER)

    def step(self) -> None:
        began = time.monotonic()
        status, case = self.client.call("start", "POST", f"{API}/cases",
                                        {"process": workload.ONE_TASK, "data": {}}, self.token)
        if not ok(status) or not case["open_tasks"]:
            time.sleep(0.05)  # do not spin on a failing start
            return
        case_id, task_id = str(case["id"]), str(case["open_tasks"][0]["id"])
        for command, body in (("claim", None), ("complete", {"data": workload.ONE_TASK_DATA})):
            status, _ = self.client.call(command, "POST", task_path(case_id, task_id, command),
                                         body, self.token)
            if not ok(status):
                return  # counted as an error; the next instance starts afresh
        self.client.samples.append(("instance", "200", began, time.monotonic()))


class Fetcher:
    """The baseline: fetches one small static file, anonymously, over and over."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def setup(self) -> None:
        pass

    def step(self) -> None:
        self.client.call("static", "GET", STATIC_PATH, parse=False)


SCRIPTS: dict[str, type[Walker] | type[OneTask] | type[Fetcher]] = {
    "sop_9_3": Walker, "one_task": OneTask, "static": Fetcher}


@dataclass(frozen=True)
class Plan:
    """What every load process runs: ``threads`` virtual users of ``script``."""

    host: str
    port: int
    script: str
    threads: int


def _drive(user: VirtualUser, stop: Event) -> None:
    while not stop.is_set():
        user.step()


def _each(users: list[VirtualUser], work: Callable[[VirtualUser], None]) -> None:
    """Run ``work(user)`` for every user in its own thread; re-raise the first failure."""
    failures: list[Exception] = []

    def guarded(user: VirtualUser) -> None:
        try:
            work(user)
        except Exception as exc:  # reported to the parent with the samples
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(u,), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def load_process(plan: Plan, ready: Any, go: Event, stop: Event, out: Any) -> None:
    """One load process: set its users up (logins), report ready, wait for ``go``, load until
    ``stop``; then put ``(samples, examples of failed answers, error)`` on ``out``."""
    users: list[VirtualUser] = [SCRIPTS[plan.script](Client(plan.host, plan.port))
                                for _ in range(plan.threads)]
    error = ""
    try:
        _each(users, lambda u: u.setup())
        ready.put(True)
        go.wait()
        _each(users, lambda u: _drive(u, stop))
    except Exception:
        error = traceback.format_exc()
    examples = {k: v for u in users for k, v in u.client.examples.items()}
    out.put(([s for u in users for s in u.client.samples], examples, error))


class Load:
    """``processes`` load processes of one plan: set up (logged in) on entering the block,
    loading while it runs, stopped on leaving it; ``samples``, ``examples`` (a body of each
    kind of failed answer) and ``errors`` (of the load processes themselves) then."""

    def __init__(self, plan: Plan, processes: int) -> None:
        mp = multiprocessing.get_context("spawn")
        self.ready, self.out = mp.Queue(), mp.Queue()
        self.go, self.stop = mp.Event(), mp.Event()
        self.procs = [mp.Process(target=load_process, daemon=True,
                                 args=(plan, self.ready, self.go, self.stop, self.out))
                      for _ in range(processes)]
        self.samples: list[Sample] = []
        self.examples: dict[str, str] = {}
        self.errors: list[str] = []

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def __enter__(self) -> Load:
        for proc in self.procs:
            proc.start()
        deadline, waiting = time.monotonic() + READY_TIMEOUT_S, len(self.procs)
        while waiting:
            try:
                self.ready.get(timeout=0.5)
                waiting -= 1
            except queue.Empty:
                if time.monotonic() > deadline or any(not p.is_alive() for p in self.procs):
                    self._finish()
                    raise RuntimeError("a load process failed to set up:\n"
                                       + "\n".join(self.errors)) from None
        self.go.set()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._finish()

    def _finish(self) -> None:
        self.stop.set()
        self.go.set()
        for _ in self.procs:
            if (got := self._result()) is None:
                codes = [p.exitcode for p in self.procs]
                self.errors.append(f"a load process ended without results (exit codes {codes})")
                break
            samples, examples, error = got
            self.samples += samples
            self.examples = {**examples, **self.examples}
            if error:
                self.errors.append(error)
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()

    def _result(self) -> tuple[list[Sample], dict[str, str], str] | None:
        """The next process's result; None once every process has ended without one."""
        while True:
            try:
                return self.out.get(timeout=1.0)  # type: ignore[no-any-return]
            except queue.Empty:
                if not any(p.is_alive() for p in self.procs):
                    try:
                        return self.out.get(timeout=1.0)  # type: ignore[no-any-return]
                    except queue.Empty:
                        return None
