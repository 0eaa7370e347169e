"""An inspector who is also an administrator manages no user: every user-management endpoint
answers 403 and changes nothing, while the same calls by a plain administrator succeed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from alur.bootstrap import DEMO_PASSWORD
from orchestrator.passwords import hash_password
from orchestrator.users import User
from tests.conftest import Api

STRONG = "kata-sandi-yang-panjang"
# every endpoint of api/users.py but the caller's own logout, with a valid payload
MANAGEMENT = [
    ("GET", "/users", None),
    ("POST", "/users", {"username": "baru", "full_name": "Baru", "roles": ["administrator"],
                        "password": STRONG}),
    ("PUT", "/users/sekretaris/roles", {"roles": ["administrator"]}),
    ("POST", "/users/sekretaris/disable", None),
    ("POST", "/users/sekretaris/revoke-tokens", None),
]
EXPECTED_BY_ADMIN = {"GET /users": 200, "POST /users": 201, "PUT /users/sekretaris/roles": 200,
                     "POST /users/sekretaris/disable": 200,
                     "POST /users/sekretaris/revoke-tokens": 204}


def add_user(api: Api, username: str, roles: list[str]) -> None:
    services = api.client.application.extensions["alur"]
    services.orchestrator.register_user(User(username=username, full_name=username, roles=roles,
                                             password_hash=hash_password(DEMO_PASSWORD)))


def call(api: Api, user: str, method: str, path: str, body: Any) -> Any:
    return api.client.open(f"/api/v1{path}", method=method, headers=api.login(user), json=body)


def user_state(api: Api) -> tuple[Any, ...]:
    app = api.client.application.extensions["alur"].orchestrator
    target = app.find_user("sekretaris")
    return app.find_user("baru"), target.roles, target.active, target.token_generation


@pytest.mark.parametrize("method, path, body", MANAGEMENT,
                         ids=[f"{m} {p}" for m, p, _ in MANAGEMENT])
def test_an_inspector_administrator_may_not_manage_users(api: Api, method: str, path: str,
                                                         body: Any) -> None:
    add_user(api, "inspektur_admin", ["inspektur", "administrator"])
    add_user(api, "admin_saja", ["administrator"])
    before = user_state(api)
    refused = call(api, "inspektur_admin", method, path, body)
    assert refused.status_code == 403, refused.get_json()
    assert refused.content_type == "application/problem+json"
    assert user_state(api) == before
    # the same call by an administrator who is not an inspector is allowed: the 403 is the rule
    allowed = call(api, "admin_saja", method, path, body)
    assert allowed.status_code == EXPECTED_BY_ADMIN[f"{method} {path}"], allowed.get_json()


def test_the_list_covers_every_user_management_endpoint(app: Flask) -> None:
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("users.") and rule.endpoint != "users.logout"
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(m, "/api/v1" + p.replace("sekretaris", "<username>")) for m, p, _ in MANAGEMENT}
    assert rules == listed


def test_no_page_manages_users(app: Flask) -> None:
    """User administration is API-only (and the CLI's create-admin); if a page ever manages
    users, it must join MANAGEMENT's checks."""
    page_views = {name for name in app.view_functions if name.startswith("pages_")}
    assert not {name for name in page_views if "user" in name or "pengguna" in name}
    rules = [rule.rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("pages_")]
    assert not [r for r in rules if "pengguna" in r or "user" in r]
