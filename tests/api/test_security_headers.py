"""Every response, page or API, carries the security headers; the pages run no inline script and
load nothing from another site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_page_login import log_in
from tests.conftest import Api
from tests.starts import complaint

TEMPLATES = Path(__file__).parents[2] / "api" / "templates"
STATIC = Path(__file__).parents[2] / "api" / "static"
PAGES = ["/", "/masuk", "/layanan", "/layanan/pengaduan", "/layanan/status", "/kotak-masuk",
         "/tidak-ada", "/static/css/alur.css", "/static/js/diagram.js"]
API = ["/healthz", "/api/v1/openapi.json", "/api/v1/inbox", "/api/v1/tidak-ada"]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_secure(response: object, path: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers.get("X-Frame-Options") == "DENY", path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Referrer-Policy") == "same-origin", path
    policy = directives(headers.get("Content-Security-Policy", ""))
    assert policy.get("frame-ancestors") == ["'none'"], path
    scripts = policy.get("script-src") or policy.get("default-src")
    assert scripts == ["'self'"], (path, scripts)  # no 'unsafe-inline', no eval, no CDN
    assert policy.get("object-src") == ["'none'"] and policy.get("base-uri") == ["'none'"]
    for name, values in policy.items():
        assert not [v for v in values if re.match(r"(https?:|\*|//)", v)], (path, name, values)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_response_has_the_headers(client: FlaskClient, path: str) -> None:
    assert_secure(client.get(path), path)


@pytest.mark.parametrize("path", API)
def test_every_api_response_has_the_headers(client: FlaskClient, path: str) -> None:
    assert_secure(client.get(path), path)


def test_errors_and_writes_have_the_headers_too(api: Api) -> None:
    responses = {
        "401": api.client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}),
        "422": api.post("/cases", "admin", json={"bogus": 1}),
        "201": api.post("/cases", "admin", json={"process": "sop_9_3", "data": complaint()}),
        "413": api.client.post("/api/v1/auth/token", data=b"x" * (2 * 1024 * 1024)),
        "page 400": api.client.post("/masuk", data={"username": "a"}),  # no CSRF token
    }
    for name, response in responses.items():
        assert_secure(response, name)


def test_pages_that_draw_bpmn_have_the_headers(app: Flask, api: Api) -> None:
    created = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint()}).get_json()
    client = app.test_client()
    log_in(client, "pemilik_proses")
    for path in (f"/kasus/{created['id']}", "/proses/sop_9_3/modeler"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_secure(response, path)


def test_templates_hold_no_inline_script() -> None:
    """Scripts come from static files; inline <script> blocks only carry JSON data."""
    for template in TEMPLATES.rglob("*.html"):
        html = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), template.name  # onclick=…
        assert "javascript:" not in html.lower(), template.name


def test_no_asset_comes_from_another_site() -> None:
    for template in TEMPLATES.rglob("*.html"):
        assert not re.search(r"""(src|href)=["'](https?:)?//""", template.read_text()), \
            template.name
    for script in (STATIC / "js").glob("*.js"):
        assert not re.search(r"https?://", script.read_text()), script.name
