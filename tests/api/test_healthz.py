"""/healthz tells the truth: each projection's position, head, lag and the age of its oldest
unprocessed event; ``degraded`` past the configured limits or when events were skipped; 200
either way (liveness), 503 only when the store cannot be read. On both stores, runner down."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from alur.bootstrap import Services, bootstrap, deploy_all, seed_demo_users
from alur.config import Config
from api.app import create_app
from api.health import Limits, problems
from tests.conftest import Api
from tests.starts import complaint


def _client(config: Config, **limits: Any) -> Iterator[tuple[FlaskClient, Services]]:
    """A separate-runner deployment whose runner is not running, with these health limits."""
    svc = bootstrap(dataclasses.replace(config, projections_in_process=False, **limits))
    deploy_all(svc)
    seed_demo_users(svc)
    yield create_app(svc, testing=True).test_client(), svc
    svc.close()


@pytest.fixture
def lag_limited(config: Config) -> Iterator[tuple[FlaskClient, Services]]:
    yield from _client(config, health_max_lag=3, health_max_age_seconds=3600)


@pytest.fixture
def age_limited(config: Config) -> Iterator[tuple[FlaskClient, Services]]:
    yield from _client(config, health_max_lag=10**9, health_max_age_seconds=0)


def _start_case(client: FlaskClient) -> None:
    created = Api(client).post("/cases", "admin", json={"process": "sop_9_3", "data": complaint()})
    assert created.status_code == 201, created.get_json()


def test_degraded_past_the_lag_limit_while_the_runner_is_down(
        lag_limited: tuple[FlaskClient, Services]) -> None:
    client, svc = lag_limited
    _start_case(client)
    response = client.get("/healthz")
    assert response.status_code == 200  # alive: commands still work
    body = response.get_json()
    assert body["status"] == "degraded"
    inbox = next(p for p in body["projections"] if p["name"] == "inbox")
    head = svc.orchestrator.recorder.max_notification_id()
    assert (inbox["name"], inbox["position"], inbox["head"], inbox["lag"]) == (
        "inbox", 0, head, head)
    assert inbox["skipped"] == 0
    assert inbox["oldest_unprocessed_at"].endswith("+08:00")
    assert inbox["oldest_unprocessed_age_seconds"] >= 0
    assert any("notifications behind" in p for p in inbox["problems"])
    assert body["limits"] == {"max_lag": 3, "max_age_seconds": 3600}

    svc.projections.catch_up()  # the runner comes back
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["projections"][0]["lag"] == 0 and body["projections"][0]["problems"] == []
    assert body["projections"][0]["oldest_unprocessed_at"] is None


def test_degraded_when_the_oldest_unprocessed_event_is_too_old(
        age_limited: tuple[FlaskClient, Services]) -> None:
    client, svc = age_limited
    svc.projections.catch_up()  # deploying and seeding wrote events: processed, none is old
    assert client.get("/healthz").get_json()["status"] == "ok"
    _start_case(client)
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded"
    (problem,) = body["projections"][0]["problems"]
    assert "oldest unprocessed notification" in problem


def test_unavailable_when_the_store_cannot_be_read(config: Config) -> None:
    svc = bootstrap(config)
    client = create_app(svc, testing=True).test_client()
    svc.close()  # its connections are gone: nothing can be read
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_skipped_events_degrade_a_projection() -> None:
    limits = Limits(max_lag=1000, max_age_seconds=30)
    row = {"lag": 0, "skipped": 2, "oldest_unprocessed_age_seconds": None}
    assert problems(row, limits) == ["2 undecodable event(s) skipped"]
    assert problems({**row, "skipped": 0}, limits) == []
    stuck = {"lag": 1, "skipped": 0, "oldest_unprocessed_age_seconds": None}
    assert problems(stuck, limits) == ["the oldest unprocessed notification cannot be decoded"]
