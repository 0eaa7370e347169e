"""A crowd of failed logins against a real threaded HTTP server: never more Argon2 hashes at once
than the hashing pool allows (64 MiB each); the rest are refused at once with 429 and
Retry-After, on the API and on the login page."""

from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from alur.bootstrap import bootstrap, seed_demo_users
from alur.config import Config
from api.app import create_app
from orchestrator import passwords

POOL = 2
CROWD = 40  # ≫ POOL


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    services = bootstrap(Config(data_dir=tmp_path, secret_key="flood-test"))
    seed_demo_users(services)
    http = make_server("127.0.0.1", 0, create_app(services), threaded=True)
    http.request_queue_size = CROWD * 2  # the listen backlog: let the crowd in to be refused
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)
    services.close()


class CountingHasher(PasswordHasher):
    """Argon2 as configured, counting the hashes that run at the same moment."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    """Count real hashing; a pool of two with a short wait, so the crowd outnumbers it however
    fast the machine."""
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "_HASHER", counting)
    monkeypatch.setattr(passwords, "GATE", passwords.HashGate(POOL, wait=0.01), raising=False)
    return counting


def api_attempt(base: str, username: str, start: threading.Barrier) -> tuple[int, str | None]:
    body = json.dumps({"username": username, "password": "salah-sekali"}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", data=body,
                                     headers={"Content-Type": "application/json"})
    start.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


def page_attempt(base: str, username: str, start: threading.Barrier) -> tuple[int, str | None]:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/masuk", timeout=60) as page:
        html = page.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode({"username": username, "password": "salah-sekali",
                                   "csrf_token": token}).encode()
    start.wait()
    try:
        with opener.open(f"{base}/masuk", data=form, timeout=60) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


@pytest.mark.parametrize("attempt", [api_attempt, page_attempt], ids=["api", "page"])
def test_a_crowd_of_failed_logins_is_bounded_by_the_hashing_pool(
        server: str, hasher: CountingHasher, attempt: object) -> None:
    start = threading.Barrier(CROWD)
    results: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def one(index: int) -> None:
        # a username each: the per-username throttle never answers for the pool
        outcome = attempt(server, f"penyerang{index}", start)  # type: ignore[operator]
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(CROWD)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(status for status, _ in results)
    assert len(results) == CROWD and set(statuses) <= {401, 429}, statuses
    refused = [retry for status, retry in results if status == 429]
    assert refused and len(refused) < CROWD, statuses  # some refused, some checked
    assert all(retry is not None and int(retry) >= 1 for retry in refused)
    assert 1 <= hasher.peak <= POOL  # never more hashes at once than the pool
    assert hasher.running == 0 and passwords.GATE.running == 0
