"""Inspectors (role ``inspektur``) read, replay, verify and export every case, and change none."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from alur.bootstrap import DEMO_PASSWORD
from orchestrator.passwords import hash_password
from orchestrator.users import User
from tests.conftest import Api
from tests.starts import complaint, wbs_start

# every state-changing endpoint, with a payload that would be valid for someone allowed
FORBIDDEN = [
    ("POST", "/cases", {"process": "sop_9_3", "data": complaint()}),
    ("POST", "/cases/{case}/cancel", {"reason": "diperiksa"}),
    ("POST", "/cases/{case}/deadline/extend", {"reason": "perlu data tambahan"}),
    ("POST", "/tasks/{task}/claim", None),
    ("POST", "/tasks/{task}/release", None),
    ("POST", "/tasks/{task}/complete", {"data": {}}),
    ("POST", "/cases/{case}/tasks/{task}/claim", None),
    ("POST", "/cases/{case}/tasks/{task}/release", None),
    ("POST", "/cases/{case}/tasks/{task}/complete", {"data": {}}),
    ("POST", "/users", {"username": "baru", "full_name": "Baru", "roles": ["admin"],
                        "password": "kata-sandi-panjang-1"}),
    ("PUT", "/users/{user}/roles", {"roles": ["inspektur"]}),
    ("POST", "/users/{user}/disable", None),
    ("POST", "/users/{user}/revoke-tokens", None),
    ("POST", "/processes/{process}/validate", {"bpmn": "<x/>"}),
    ("POST", "/processes/{process}/versions", {"bpmn": "<x/>"}),
    ("POST", "/processes/{process}/sensitivity-approvals",
     {"sha256": "0" * 64, "sensitive": True, "handling_role": "unit_pengaduan"}),
    ("POST", "/tasks/{task}/complete-with-files", {"data": "{}"}),
    ("POST", "/cases/{case}/tasks/{task}/complete-with-files", {"data": "{}"}),
    ("POST", "/cases/{case}/tasks/{task}/assign", {"assignee": "admin", "instruction": "x"}),
    ("POST", "/cases/{case}/comments", {"text": "x"}),
    ("POST", "/cases/{case}/documents", {"template": "surat-keluar",
                                          "task_id": "00000000-0000-4000-8000-000000000000"}),
    ("POST", "/acting", {"deputy": "admin", "role": "sekretaris", "kind": "plh",
                         "starts_on": "2099-01-01", "ends_on": "2099-01-02",
                         "reason": "Cuti tahunan"}),
    ("POST", "/acting/{deputy}/{appointment}/end", {"reason": "kembali"}),
    ("POST", "/notifications/deliveries/{delivery}/resend", None),
    ("POST", "/calendar/cuti-bersama", {"day": "2099-03-23", "reason": "Cuti bersama",
                                        "decree": "SKB"}),
    ("POST", "/calendar/cuti-bersama/{day}/withdraw", {"reason": "dibatalkan"}),
    ("PUT", "/calendar/office-hours", {"effective_from": "2099-01-05",
                                       "office_hours": "07:30-16:00",
                                       "friday_hours": "07:30-16:30", "reason": "Surat"}),
]
# logging in and out, one's own profile, password and read marks change only the caller's own
# account; the public portal takes no login (its tracking code is the requester's credential)
NOT_AN_ACTOR_WRITE = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/logout"),
                      ("POST", "/api/v1/me/password"), ("PUT", "/api/v1/me"),
                      ("POST", "/api/v1/notifications/read"),
                      ("POST", "/api/v1/public/reports/<kind>"),
                      ("POST", "/api/v1/public/status"), ("POST", "/api/v1/public/keberatan"),
                      ("POST", "/api/v1/public/steps/<task_id>")}
ZERO = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    created = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint(subjek="A")})
    assert created.status_code == 201
    body = created.get_json()
    assert api.post(f"/tasks/{body['open_tasks'][0]['id']}/claim", "pelapor").status_code == 200
    return body


def request(api: Api, user: str, method: str, path: str, body: Any, case: dict[str, Any]) -> Any:
    url = path.format(case=case["id"], task=case["open_tasks"][0]["id"], user="admin",
                      process="sop_9_3", deputy="admin", appointment=ZERO, delivery=ZERO,
                      day="2099-03-23")
    call = api.client.put if method == "PUT" else api.client.post
    return call(f"/api/v1{url}", headers=api.login(user), json=body)


@pytest.mark.parametrize("method, path, body", FORBIDDEN, ids=[f"{m} {p}" for m, p, _ in FORBIDDEN])
def test_inspector_may_not(api: Api, case: dict[str, Any], method: str, path: str,
                           body: Any) -> None:
    response = request(api, "inspektur", method, path, body, case)
    assert response.status_code == 403, response.get_json()
    assert response.content_type == "application/problem+json"
    after = api.get(f"/cases/{case['id']}", "admin").get_json()
    assert after["case_version"] == case["case_version"] + 1  # only the fixture's claim


def test_every_state_changing_api_endpoint_is_covered(app: Flask) -> None:
    writes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"GET", "HEAD", "OPTIONS"}
              if rule.rule.startswith("/api/v1/")}
    covered = {(m, "/api/v1" + p.replace("{case}", "<uuid:case_id>")
                .replace("{task}", "<uuid:task_id>").replace("{user}", "<username>")
                .replace("{process}", "<key>").replace("{deputy}", "<deputy>")
                .replace("{appointment}", "<appointment_id>")
                .replace("{delivery}", "<uuid:delivery_id>").replace("{day}", "<day>"))
               for m, p, _ in FORBIDDEN}
    assert writes - NOT_AN_ACTOR_WRITE == covered


def test_holding_another_role_too_does_not_make_an_inspector_a_writer(
        api: Api, case: dict[str, Any]) -> None:
    services = api.client.application.extensions["alur"]
    services.orchestrator.register_user(User(
        username="inspektur_plus", full_name="Inspektur dan Admin", roles=["inspektur", "admin",
                                                                            "pelapor"],
        password_hash=hash_password(DEMO_PASSWORD)))
    for method, path, body in FORBIDDEN[:6]:
        assert request(api, "inspektur_plus", method, path, body, case).status_code == 403, path


def test_inspector_reads_every_case_without_a_lane(api: Api, case: dict[str, Any]) -> None:
    wbs = api.post("/cases", "pelapor", json={"process": "sop_9_5", "data": wbs_start()}).get_json()
    for case_id in (case["id"], wbs["id"]):
        for path in ("", "/events", "/replay?at=1", "/audit/verify", "/export.json",
                     "/export.pdf", "/access-log"):
            response = api.get(f"/cases/{case_id}{path}", "inspektur")
            assert response.status_code == 200, (path, response.get_json())
