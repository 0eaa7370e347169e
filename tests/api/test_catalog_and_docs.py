"""Login, roles, processes and the OpenAPI document."""

from __future__ import annotations

from tests.conftest import Api
from tests.starts import complaint


def test_token_carries_the_user_and_roles(api: Api) -> None:
    response = api.client.post("/api/v1/auth/token",
                               json={"username": "rapat_pleno", "password": "demo-alur-2025"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"] and body["user"] == {
        "username": "rapat_pleno", "full_name": "Demo Rapat Pleno", "roles": ["rapat_pleno"]}


def test_roles_list_every_lane_and_its_demo_user(api: Api) -> None:
    roles = {r["key"]: r for r in api.get("/roles", "admin").get_json()}
    for lane in ("pelapor", "admin", "sekretaris", "unit_pengaduan", "rapat_pleno"):
        assert roles[lane]["demo_user"] == lane
    assert roles["unit_pengaduan"]["name"] == "Unit Pengaduan"
    assert roles["ppid"]["demo_user"] == "ppid"  # a lane of SOP 9.22
    for system in ("inspektur", "pemilik_proses", "administrator"):
        assert roles[system]["demo_user"] == system


def test_processes_list_and_detail_with_bpmn(api: Api) -> None:
    listed = {p["key"]: p for p in api.get("/processes", "admin").get_json()}
    assert {"key": "sop_9_3", "version": 1, "sop": "9.3"}.items() <= listed["sop_9_3"].items()
    assert len(listed) == 31  # every flowchart of SOP 9.1-9.22 and the 4 services without one
    keys = [p["key"] for p in api.get("/processes", "admin").get_json()]
    assert keys.index("sop_9_2") < keys.index("sop_9_10") < keys.index("svc_magang")
    detail = api.get("/processes/sop_9_3", "admin").get_json()
    assert detail["bpmn"].startswith("<?xml") and "bpmndi:BPMNDiagram" in detail["bpmn"]
    assert detail["versions"][0]["version"] == 1
    assert api.get("/processes/sop_0", "admin").status_code == 404


def test_openapi_document_describes_the_contract(api: Api) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/roles", "/api/v1/processes",
                 "/api/v1/processes/{key}", "/api/v1/cases", "/api/v1/cases/{case_id}",
                 "/api/v1/cases/{case_id}/events", "/api/v1/inbox",
                 "/api/v1/tasks/{task_id}/claim", "/api/v1/tasks/{task_id}/release",
                 "/api/v1/tasks/{task_id}/complete"):
        assert path in paths, path
    assert "bearer" in spec["components"]["securitySchemes"]


def test_case_detail_contract(api: Api) -> None:
    created = api.post("/cases", "admin", json={"process": "sop_9_3", "data": complaint()})
    assert created.status_code == 201
    body = created.get_json()
    assert {"id", "process", "version", "status", "data", "open_tasks", "case_version"} <= set(body)
    assert created.headers["ETag"] == f'"{body["case_version"]}"'
    shown = api.get(f"/cases/{body['id']}", "admin").get_json()
    assert shown["status"] == "active" and shown["data"] == complaint()
    assert shown["open_tasks"][0]["lane"] == "pelapor"
    # a user with no role in the process cannot see it, nor learn that it exists
    assert api.get(f"/cases/{body['id']}", "ppid").status_code == 404


def test_times_are_given_in_wita(api: Api) -> None:
    created = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint()}).get_json()
    assert created["open_tasks"][0]["activated_at"].endswith("+08:00")
    (task,) = api.get(f"/inbox?after={created['position']}", "pelapor").get_json()
    assert task["activated_at"].endswith("+08:00") and task["due_at"].endswith("+08:00")
