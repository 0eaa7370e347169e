"""Fuzz the API from its own OpenAPI document: no 5xx, responses conform to their schemas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from alur.bootstrap import DEMO_PASSWORD, bootstrap, deploy_all, seed_demo_users
from alur.config import Config
from api.app import create_app


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    services = bootstrap(Config(data_dir=Path(tmp_path_factory.mktemp("fuzz")),
                                secret_key="fuzz"))
    deploy_all(services)
    seed_demo_users(services)
    app = create_app(services, testing=True)
    app.extensions["alur.throttle"].max_failures = 10**9  # the fuzzer logs in a lot
    yield app
    services.close()


@pytest.fixture(scope="module")
def auth(fuzz_app: Flask) -> dict[str, str]:
    response = fuzz_app.test_client().post(
        "/api/v1/auth/token", json={"username": "administrator", "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_no_server_errors_and_conforming_responses(fuzz_app: Flask,
                                                   auth: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15
    for operation in operations:

        @settings(max_examples=10, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(headers=auth)
            case.validate_response(response, checks=[not_a_server_error,
                                                      response_schema_conformance])

        check()
