"""Failed logins are counted in the store, so every worker and server on it shares the limit
(5 failures in 15 minutes per username and client address)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from alur.bootstrap import DEMO_PASSWORD, Services, bootstrap, seed_demo_users
from alur.config import Config
from api.app import create_app
from api.throttle import LoginThrottle
from orchestrator.errors import RateLimited

WRONG = {"username": "administrator", "password": "salah"}
RIGHT = {"username": "administrator", "password": DEMO_PASSWORD}


@pytest.fixture
def two_servers(config: Config) -> Iterator[tuple[Flask, Flask]]:
    """Two independently bootstrapped services and apps (as two workers) on one store."""
    first = bootstrap(config)
    seed_demo_users(first)
    second = bootstrap(config)
    yield create_app(first, testing=True), create_app(second, testing=True)
    second.close()
    first.close()


def token(app: Flask, body: dict[str, str], address: str = "10.0.0.1") -> int:
    client = app.test_client()
    return client.post("/api/v1/auth/token", json=body,
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_failures_on_two_servers_add_up(two_servers: tuple[Flask, Flask]) -> None:
    first, second = two_servers
    assert [token(first, WRONG) for _ in range(3)] == [401] * 3
    assert [token(second, WRONG) for _ in range(2)] == [401] * 2
    assert token(first, RIGHT) == 429  # 3 + 2 = 5: the right password waits too
    assert token(second, RIGHT) == 429
    assert token(second, RIGHT, address="10.0.0.2") == 200  # another address is not blocked


def test_the_login_page_shares_the_count_with_the_api(two_servers: tuple[Flask, Flask]) -> None:
    first, second = two_servers
    for _ in range(5):
        assert token(first, WRONG) == 401
    client = second.test_client()
    page = client.get("/masuk", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    html = page.get_data(as_text=True)
    csrf = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/masuk", data={**RIGHT, "csrf_token": csrf},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Terlalu banyak percobaan gagal" in response.get_data(as_text=True)


def test_a_success_clears_the_count_for_every_server(two_servers: tuple[Flask, Flask]) -> None:
    first, second = two_servers
    for _ in range(4):
        assert token(first, WRONG) == 401
    assert token(second, RIGHT) == 200
    assert [token(first, WRONG) for _ in range(4)] == [401] * 4  # counting starts again
    assert token(second, RIGHT) == 200


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def rows(throttle: LoginThrottle) -> int:
    with throttle.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT COUNT(*) AS n FROM {throttle.table}")
        return int(cursor.fetchall()[0]["n"])


def test_failures_expire_after_the_window(config: Config) -> None:
    services: Services = bootstrap(config)
    clock = Clock()
    throttle = LoginThrottle.beside(services.orchestrator)
    throttle.clock = clock
    for _ in range(5):
        throttle.failed("Sekretaris", "10.0.0.1")
    with pytest.raises(RateLimited, match="try again in 901 seconds"):
        throttle.check("sekretaris", "10.0.0.1")  # usernames are case-insensitive
    clock.now += 600
    with pytest.raises(RateLimited, match="try again in 301 seconds"):
        throttle.check("sekretaris", "10.0.0.1")
    clock.now += 301
    throttle.check("sekretaris", "10.0.0.1")  # the window has passed
    throttle.failed("someone", "10.0.0.9")  # a new failure deletes the expired rows
    assert rows(throttle) == 1
    services.close()


def test_no_address_or_username_is_stored(config: Config) -> None:
    services = bootstrap(config)
    throttle = LoginThrottle.beside(services.orchestrator)
    throttle.failed("sekretaris", "203.0.113.7")
    with throttle.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT * FROM {throttle.table}")
        stored = str([dict(row) for row in cursor.fetchall()])
    assert "203.0.113.7" not in stored and "sekretaris" not in stored
    services.close()
