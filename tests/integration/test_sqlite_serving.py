"""SQLite takes one serving process, with real processes: a second ``alur serve`` or a second
gunicorn worker on the same store is refused at start with a message pointing to PostgreSQL,
while read-only and maintenance commands still run beside the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cluster import ROOT, free_port

START_TIMEOUT = 120.0


def _env(data_dir: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ALUR_")}
    return {**inherited, "ALUR_DATA_DIR": str(data_dir), "ALUR_SECRET_KEY": "sqlite-serving",
            "PYTHONPATH": str(ROOT), "ALUR_SCHEDULER_INTERVAL": "0"}


def _spawn(argv: list[str], data_dir: Path, log: str) -> subprocess.Popen[bytes]:
    with (data_dir / log).open("ab") as out:
        return subprocess.Popen(argv, env=_env(data_dir), cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _alur(*args: str) -> list[str]:
    return [sys.executable, "-m", "alur.cli", *args]


def _gunicorn(port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{port}",
            "alur.wsgi:create()"]


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, data_dir: Path, log: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"exited {proc.returncode}:\n{_log(data_dir, log)}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"did not start:\n{_log(data_dir, log)}")


def _exit_code(proc: subprocess.Popen[bytes]) -> int:
    try:
        return proc.wait(START_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError("a second serving process on the SQLite store kept running") \
            from None


def _log(data_dir: Path, name: str) -> str:
    return (data_dir / name).read_text(errors="replace")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """One ``alur serve`` on a fresh SQLite store."""
    port = free_port()
    proc = _spawn(_alur("serve", "--port", str(port)), tmp_path, "first.log")
    try:
        _wait_healthy(proc, port, tmp_path, "first.log")
        yield proc
    finally:
        _stop(proc)


def _refused(proc: subprocess.Popen[bytes], data_dir: Path, log: str) -> str:
    try:
        code = _exit_code(proc)
    finally:
        _stop(proc)
    text = _log(data_dir, log)
    assert code != 0, text
    assert "already serves the SQLite store" in text and "PostgreSQL" in text, text
    return text


def test_a_second_alur_serve_is_refused(serving: subprocess.Popen[bytes],
                                        tmp_path: Path) -> None:
    second = _spawn(_alur("serve", "--port", str(free_port())), tmp_path, "second.log")
    text = _refused(second, tmp_path, "second.log")
    assert f"pid {serving.pid}" in text
    assert serving.poll() is None  # the first one goes on serving


def test_gunicorn_with_two_workers_is_refused(tmp_path: Path) -> None:
    proc = _spawn(_gunicorn(free_port(), "--workers", "2"), tmp_path, "gunicorn.log")
    _refused(proc, tmp_path, "gunicorn.log")


def test_gunicorn_preload_forking_workers_is_refused(tmp_path: Path) -> None:
    proc = _spawn(_gunicorn(free_port(), "--preload", "--workers", "2"), tmp_path, "pre.log")
    try:
        code = _exit_code(proc)
    finally:
        _stop(proc)
    text = _log(tmp_path, "pre.log")
    assert code != 0 and "was forked" in text and "PostgreSQL" in text, text


def test_one_worker_with_threads_serves_and_the_claim_ends_with_the_process(
        tmp_path: Path) -> None:
    port = free_port()
    first = _spawn(_gunicorn(port, "--workers", "1", "--threads", "4"), tmp_path, "one.log")
    try:
        _wait_healthy(first, port, tmp_path, "one.log")
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # however it ends, the store is free again
        first.wait(15)
    port = free_port()
    again = _spawn(_alur("serve", "--port", str(port)), tmp_path, "again.log")
    try:
        _wait_healthy(again, port, tmp_path, "again.log")
    finally:
        _stop(again)


def test_read_only_and_maintenance_commands_run_beside_the_server(
        serving: subprocess.Popen[bytes], tmp_path: Path) -> None:
    for args in (("audit", "verify"), ("projections", "status"),
                 ("backup", "create", str(tmp_path / "beside.sqlite"))):
        done = subprocess.run(_alur(*args), env=_env(tmp_path), cwd=ROOT, capture_output=True,
                              text=True, timeout=START_TIMEOUT, check=False)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert (tmp_path / "beside.sqlite").stat().st_size > 0
    assert serving.poll() is None
