"""Shared fixtures: a real store (SQLite file, or PostgreSQL in a schema of its own per test)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from alur.bootstrap import DEMO_PASSWORD, Services, bootstrap, deploy_all, seed_demo_users
from alur.config import Config
from api.app import create_app

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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Config]:
    """A fresh, empty store of each kind."""
    if request.param == "sqlite":
        yield Config(data_dir=tmp_path, secret_key="test-secret")
        return
    url = _postgres_url_or_skip()
    schema = f"t_{uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield Config(database_url=f"{url}?schema={schema}", data_dir=tmp_path,
                 secret_key="test-secret")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def services(config: Config) -> Iterator[Services]:
    """Every process deployed and demo users seeded, as ``alur serve`` does."""
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
