"""[login_flood] A crowd of failed logins against a real server process: its peak memory growth
and how fast it answers, with the hashing pool as shipped (one Argon2 hash per core) against
the same server with a pool as large as the crowd (as it was before: one hash per thread).

SQLite only: the store holds nothing but the failure rows, the subject is password hashing.
The server is a threaded werkzeug server in a subprocess (``serve`` below); its peak RSS is
``VmHWM`` of /proc/<pid>/status, minus its RSS after start-up and one warm-up login.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from alur.config import PROJECT_ROOT
from benchmarks.context import Context
from benchmarks.server import free_port
from benchmarks.timing import Result, ms, not_applicable, percentile, result, say

CROWD = 40  # parallel attempts, as in the report (issue 13)
ROUNDS = 5
TARGET_RATIO = 0.25  # bounded peak growth / unbounded peak growth


def serve(directory: str, pool: int, port: int) -> None:
    """Run the app on a threaded server with a hashing pool of ``pool`` (subprocess entry)."""
    from werkzeug.serving import make_server

    from alur.bootstrap import bootstrap, seed_demo_users
    from alur.config import Config
    from api.app import create_app
    from orchestrator import passwords

    services = bootstrap(Config(data_dir=Path(directory), secret_key="bench-login"))
    seed_demo_users(services)
    passwords.GATE = passwords.HashGate(pool)
    http = make_server("127.0.0.1", port, create_app(services), threaded=True)
    http.request_queue_size = CROWD * 2
    http.serve_forever()


def _status(pid: int, field: str) -> int:
    """A /proc/<pid>/status memory field in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _attempt(base: str, username: str, start: threading.Barrier | None) -> tuple[int, float]:
    body = json.dumps({"username": username, "password": "salah-sekali"}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", data=body,
                                     headers={"Content-Type": "application/json"})
    if start is not None:
        start.wait()
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, time.perf_counter() - began
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - began


def _crowd(base: str, round_: int) -> list[tuple[int, float]]:
    start = threading.Barrier(CROWD)
    answers: list[tuple[int, float]] = []
    lock = threading.Lock()

    def one(index: int) -> None:
        answer = _attempt(base, f"penyerang{round_}_{index}", start)  # no throttle in the way
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(CROWD)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _wait_for(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the login server did not start")


def flood(directory: Path, pool: int) -> dict[str, float]:
    """Start a server with this pool, send ROUNDS crowds, report memory and answer rates."""
    port = free_port()
    code = ("from benchmarks.bench_login_flood import serve; "
            f"serve({str(directory)!r}, {pool}, {port})")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT,
                            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, proc)
        _attempt(base, "pemanasan", None)  # warm-up: the first hash's memory is not the crowd's
        rss = _status(proc.pid, "VmRSS")
        began = time.perf_counter()
        answers = [a for r in range(ROUNDS) for a in _crowd(base, r)]
        seconds = time.perf_counter() - began
        peak = _status(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    checked = [t for status, t in answers if status == 401]
    refused = [t for status, t in answers if status == 429]
    return {"pool": pool, "peak_growth_mib": round((peak - rss) / 2**20, 1),
            "answers_per_s": round(len(answers) / seconds, 1),
            "checked_per_s": round(len(checked) / seconds, 1), "refused": len(refused),
            "other": len(answers) - len(checked) - len(refused),
            "p95_checked_ms": ms(percentile(checked, 95)) if checked else None,
            "p95_refused_ms": ms(percentile(refused, 95)) if refused else None}


def login_flood(ctx: Context) -> Result:
    if ctx.kind != "sqlite":
        return not_applicable("login_flood", ctx.kind, "measures hashing, not the store")
    cores = len(os.sched_getaffinity(0))
    with ctx.fresh("login_flood_bounded") as bounded_store, \
            ctx.fresh("login_flood_unbounded") as unbounded_store:
        say(f"login_flood: {ROUNDS} rounds of {CROWD} parallel failed logins, pool {cores}")
        bounded = flood(bounded_store.directory, cores)
        say(f"login_flood: the same with a pool of {CROWD} (unbounded, as before)")
        unbounded = flood(unbounded_store.directory, CROWD)
    ratio = bounded["peak_growth_mib"] / max(unbounded["peak_growth_mib"], 1.0)
    met = ratio <= TARGET_RATIO and bounded["other"] == 0 and unbounded["other"] == 0
    return result("login_flood", ctx.kind, ratio=ratio, target=f"≤ {TARGET_RATIO}", met=met,
                  bounded=bounded, unbounded=unbounded)
