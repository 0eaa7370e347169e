"""Shared fixtures: a real store (SQLite file, or PostgreSQL in a schema of its own per test)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from alur.bootstrap import (
    DEMO_PASSWORD,
    SYSTEM,
    Services,
    bootstrap,
    deploy_all,
    seed_demo_users,
)
from alur.config import Config
from api.app import create_app
from orchestrator.commands import DeployProcess
from tests import bpmn_factory, store_templates

PG_URL = os.environ.get("ALUR_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_url_or_skip() -> str:
    reason = ""
    if not PG_URL:
        reason = "ALUR_TEST_POSTGRES_URL is not set"
    else:
        try:
            psycopg.connect(PG_URL, connect_timeout=3).close()
        except psycopg.OperationalError as exc:
            reason = f"PostgreSQL at ALUR_TEST_POSTGRES_URL is not reachable: {exc}"
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (under CI=true PostgreSQL tests must run)")
        pytest.skip(reason)
    return PG_URL


TEST_CONFIG = Config(data_dir=Path("/nonexistent"), secret_key="test-secret")


def _drop_schema(url: str, schema: str) -> None:
    """Drop a test's schema; a connection the test left behind (a runner thread still
    stopping) can deadlock the first try, so wait for it and try again."""
    for attempt in range(5):
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            return
        except (psycopg.errors.DeadlockDetected, psycopg.errors.LockNotAvailable):
            time.sleep(0.2 * (attempt + 1))
    raise RuntimeError(f"could not drop the test schema {schema}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Config]:
    """A fresh, empty store of each kind."""
    if request.param == "sqlite":
        yield dataclasses.replace(TEST_CONFIG, data_dir=tmp_path)
        return
    url = _postgres_url_or_skip()
    schema = f"t_{uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield dataclasses.replace(TEST_CONFIG, database_url=f"{url}?schema={schema}",
                              data_dir=tmp_path)
    _drop_schema(url, schema)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files of a served SQLite store, written once per session (tests/store_templates)."""
    directory = tmp_path_factory.mktemp("template")
    store_templates.build(dataclasses.replace(TEST_CONFIG, data_dir=directory))
    return directory


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The schema of a served PostgreSQL store, written once per session."""
    url = _postgres_url_or_skip()
    schema = f"template_{uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    store_templates.build(dataclasses.replace(
        TEST_CONFIG, database_url=f"{url}?schema={schema}",
        data_dir=tmp_path_factory.mktemp("pg-template")))
    yield schema
    _drop_schema(url, schema)


@pytest.fixture
def services(config: Config, request: pytest.FixtureRequest) -> Iterator[Services]:
    """Every process deployed and demo users seeded, as ``alur serve`` does (copied from the
    session's template store when the test's store is of the usual kind)."""
    if store_templates.same_kind(TEST_CONFIG, config):
        if config.database_url:
            schema = config.database_url.rsplit("schema=", 1)[1]
            store_templates.copy_schema(PG_URL, request.getfixturevalue("postgres_template"),
                                        schema)
        else:
            store_templates.copy_sqlite(request.getfixturevalue("sqlite_template"),
                                        config.data_dir)
    svc = bootstrap(config)
    deploy_all(svc)
    seed_demo_users(svc)
    yield svc
    svc.close()


@pytest.fixture
def app(services: Services) -> Flask:
    return create_app(services, testing=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """A thin HTTP helper for tests: logs in demo users and remembers their tokens."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def login(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        if username not in self.tokens:
            response = self.client.post("/api/v1/auth/token",
                                        json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def get(self, path: str, user: str, **kwargs: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.login(user), **kwargs)

    def post(self, path: str, user: str, **kwargs: Any) -> Any:
        headers = {**self.login(user), **kwargs.pop("headers", {})}
        return self.client.post(f"/api/v1{path}", headers=headers, **kwargs)

    def start(self, process: str, user: str, complete: bool = False, **overrides: Any) -> Any:
        """Start ``process`` as ``user`` with data its start form accepts, plus ``overrides``."""
        from tests.starts import start_data
        model, _ = self.client.application.extensions["alur"].orchestrator.model(process)
        return self.post("/cases", user, json={
            "process": process, "data": start_data(model, complete, **overrides)})

    def complete(self, task_path: str, user: str, data: dict[str, Any], **kwargs: Any) -> Any:
        """Complete the task at ``task_path`` (``/tasks/<id>`` or ``/cases/<c>/tasks/<t>``)
        with ``data``; documents in it (``lampiran``, as ``tools.form_samples`` makes them)
        are uploaded as real files with the completion, since data may cite only files
        uploaded with it."""
        documents = data.get("lampiran") or []
        if not documents:
            return self.post(f"{task_path}/complete", user, json={"data": data}, **kwargs)
        rest = {k: v for k, v in data.items() if k != "lampiran"}
        files = [(io.BytesIO(f"contoh {i}".encode()), str(d.get("nama") or f"contoh-{i}.pdf"))
                 for i, d in enumerate(documents)]
        body = {"data": json.dumps(rest), "lampiran": files}
        return self.post(f"{task_path}/complete-with-files", user, data=body,
                         content_type="multipart/form-data", **kwargs)


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture
def rework(config: Config) -> Iterator[Services]:
    """A store with only the rework loop deployed (tests/bpmn_factory.py ``rework_loop``)."""
    services = bootstrap(config)
    services.orchestrator.deploy(DeployProcess("rework", bpmn_factory.rework_loop(), SYSTEM))
    yield services
    services.close()
