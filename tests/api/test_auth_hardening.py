"""Authentication and authorisation: revocation, throttling, admin-only paths, production mode."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from alur.bootstrap import bootstrap, check_production, seed_demo_users
from alur.cli import main
from alur.config import Config
from orchestrator.errors import ServiceMisconfigured
from tests.api.test_sop_9_3_http import inbox_task, start_complaint
from tests.conftest import Api
from tests.starts import complaint

STRONG = "kata-sandi-yang-panjang"


def test_logout_revokes_the_token(api: Api) -> None:
    assert api.get("/inbox", "admin").status_code == 200
    assert api.post("/auth/logout", "admin").status_code == 204
    revoked = api.get("/inbox", "admin")
    assert revoked.status_code == 401 and "revoked" in revoked.get_json()["detail"]


def test_login_is_throttled_after_repeated_failures(api: Api) -> None:
    for _ in range(5):
        response = api.client.post("/api/v1/auth/token",
                                   json={"username": "sekretaris", "password": "salah"})
        assert response.status_code == 401
    blocked = api.client.post("/api/v1/auth/token",
                              json={"username": "sekretaris", "password": "demo-alur-2025"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert api.get("/inbox", "admin").status_code == 200  # other users are not affected


def test_administrator_manages_users_and_roles(api: Api) -> None:
    created = api.post("/users", "administrator", json={
        "username": "budi", "full_name": "Budi", "roles": ["admin"], "password": STRONG})
    assert created.status_code == 201, created.get_json()
    token = api.client.post("/api/v1/auth/token", json={"username": "budi", "password": STRONG})
    assert token.get_json()["user"]["roles"] == ["admin"]
    changed = api.client.put("/api/v1/users/budi/roles", json={"roles": ["sekretaris"]},
                             headers=api.login("administrator"))
    assert changed.get_json()["roles"] == ["sekretaris"]
    assert api.post("/users/budi/disable", "administrator").status_code == 200
    disabled = api.client.post("/api/v1/auth/token",
                               json={"username": "budi", "password": STRONG})
    assert disabled.status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"username": "x y", "full_name": "X", "roles": [], "password": STRONG}, "username"),
    ({"username": "siti", "full_name": "S", "roles": [], "password": "pendek"}, "password"),
])
def test_bad_user_payloads(api: Api, body: dict, field: str) -> None:
    response = api.post("/users", "administrator", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_unknown_role_is_refused(api: Api) -> None:
    response = api.post("/users", "administrator", json={
        "username": "siti", "full_name": "S", "roles": ["raja"], "password": STRONG})
    assert response.status_code == 422 and "raja" in str(response.get_json()["errors"])


FORBIDDEN = [
    ("get", "/users", "admin"),
    ("post", "/users", "pemilik_proses"),
    ("post", "/users/admin/disable", "sekretaris"),
    ("post", "/users/admin/revoke-tokens", "inspektur"),
    ("post", "/cases", "inspektur"),
    ("post", "/cases", "ppid"),
]


@pytest.mark.parametrize("method, path, user", FORBIDDEN)
def test_forbidden_paths(api: Api, method: str, path: str, user: str) -> None:
    kwargs = {"json": {"process": "sop_9_3", "data": complaint()}} if path == "/cases" else {}
    response = getattr(api, method)(path, user, **kwargs)
    assert response.status_code == 403, response.get_json()


def test_inspector_and_staff_cannot_change_a_case(api: Api) -> None:
    case = start_complaint(api)
    task = inbox_task(api, "pelapor", case["id"], case["position"])
    for action, body in (("claim", {}), ("complete", {"data": {}}), ("release", {})):
        response = api.post(f"/tasks/{task['id']}/{action}", "inspektur", json=body)
        assert response.status_code == 403, (action, response.get_json())
    cancel = api.post(f"/cases/{case['id']}/cancel", "pelapor", json={"reason": "tidak perlu"})
    assert cancel.status_code == 403
    extend = api.post(f"/cases/{case['id']}/deadline/extend", "inspektur",
                      json={"reason": "perlu waktu tambahan"})
    assert extend.status_code == 403


def test_production_refuses_demo_credentials(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    demo = Config(data_dir=tmp_path, secret_key="s")
    services = bootstrap(demo)
    seed_demo_users(services)
    services.close()
    key = "A" * 43 + "="  # base64 of 32 bytes
    production = Config(data_dir=tmp_path, secret_key="s", env="production", sensitive_key=key,
                        checkpoint_key=key)
    services = bootstrap(production)
    with pytest.raises(ServiceMisconfigured, match="demo users exist"):
        check_production(services)
    services.close()
    assert main(["users", "disable-demo"], production) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG + "\n"))
    assert main(["users", "create-admin", "kepala"], production) == 0
    services = bootstrap(production)
    check_production(services)  # no demo credential left: starts
    assert services.orchestrator.find_user("kepala").roles == ["administrator"]
    services.close()
    with pytest.raises(ServiceMisconfigured, match="ALUR_SECRET_KEY"):
        check_production(bootstrap(Config(data_dir=tmp_path, env="production")))
    with pytest.raises(ServiceMisconfigured, match="ALUR_SENSITIVE_KEY"):
        check_production(bootstrap(Config(data_dir=tmp_path, env="production", secret_key="s")))
    with pytest.raises(ServiceMisconfigured, match="ALUR_CHECKPOINT_KEY"):
        check_production(bootstrap(Config(data_dir=tmp_path, env="production", secret_key="s",
                                          sensitive_key=key)))
