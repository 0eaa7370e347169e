"""Process owners create a new process over HTTP: the same validation as any deploy, plus a
safe key, an executable process id equal to the key and only registry roles as lanes."""

from __future__ import annotations

from alur.bootstrap import Services
from api.bpmn_starter import starter_bpmn
from tests.conftest import Api

KEY = "surat_masuk"
STARTER = starter_bpmn(KEY, "Pengelolaan Surat Masuk", "Admin")


def nothing_created(api: Api, services: Services, key: str = KEY) -> None:
    assert key not in services.orchestrator.process_keys()
    assert api.get(f"/processes/{key}", "admin").status_code == 404
    assert key not in [p["key"] for p in api.get("/processes", "admin").get_json()]


def test_a_process_owner_creates_a_new_process(api: Api, services: Services) -> None:
    checked = api.post(f"/processes/{KEY}/validate", "pemilik_proses", json={"bpmn": STARTER})
    assert checked.status_code == 200
    assert checked.get_json()["valid"] is True and checked.get_json()["errors"] == []
    created = api.post(f"/processes/{KEY}/versions", "pemilik_proses", json={"bpmn": STARTER})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["version"] == 1 and created.get_json()["created"] is True
    listed = {p["key"]: p for p in api.get("/processes", "admin").get_json()}
    assert listed[KEY]["name"] == "Pengelolaan Surat Masuk" and listed[KEY]["version"] == 1
    assert KEY in services.orchestrator.process_keys()
    versions = api.get(f"/processes/{KEY}/versions", "admin").get_json()
    assert [(v["version"], v["deployed_by"], v["source"]) for v in versions] == [
        (1, "pemilik_proses", "api")]
    case = api.post("/cases", "admin", json={"process": KEY, "data": {"subjek": "Surat"}})
    assert case.status_code == 201, case.get_json()
    assert [t["element_id"] for t in case.get_json()["open_tasks"]] == ["Task_1"]


def test_an_unsafe_key_is_refused(api: Api, services: Services) -> None:
    for key in ["Surat", "ab", "9surat", "surat-masuk", "s" * 42]:
        bpmn = starter_bpmn(key, "Surat", "Admin")
        response = api.post(f"/processes/{key}/versions", "pemilik_proses", json={"bpmn": bpmn})
        assert response.status_code == 422, key
        assert response.headers["Content-Type"] == "application/problem+json"
        assert any("safe identifier" in e for e in response.get_json()["errors"])
        checked = api.post(f"/processes/{key}/validate", "pemilik_proses",
                           json={"bpmn": bpmn}).get_json()
        assert checked["valid"] is False and "safe identifier" in checked["errors"][0]
        nothing_created(api, services, key)


def test_the_process_id_must_equal_the_key(api: Api, services: Services) -> None:
    other = starter_bpmn("surat_keluar", "Surat", "Admin")
    response = api.post(f"/processes/{KEY}/versions", "pemilik_proses", json={"bpmn": other})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        "the executable process id must be 'surat_masuk' (found: surat_keluar)"]
    two = STARTER.replace("</bpmn:definitions>",
                          '<bpmn:process id="lain" isExecutable="true" /></bpmn:definitions>')
    response = api.post(f"/processes/{KEY}/versions", "pemilik_proses", json={"bpmn": two})
    assert response.status_code == 422
    assert "found: surat_masuk, lain" in response.get_json()["errors"][0]
    nothing_created(api, services)


def test_every_lane_must_be_a_registry_role(api: Api, services: Services) -> None:
    cook = starter_bpmn(KEY, "Surat", "Juru Masak")
    response = api.post(f"/processes/{KEY}/versions", "pemilik_proses", json={"bpmn": cook})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        "lane 'Juru Masak' (Lane_1) is not a role in the roles registry"]
    no_lane = STARTER.replace('<bpmn:lane id="Lane_1" name="Admin">', '<bpmn:lane id="Lane_1">')
    response = api.post(f"/processes/{KEY}/validate", "pemilik_proses", json={"bpmn": no_lane})
    assert response.get_json()["valid"] is False
    assert "lane '' (Lane_1) is not a role in the roles registry" in response.get_json()["errors"]
    nothing_created(api, services)


def test_other_engine_errors_refuse_a_new_process_too(api: Api, services: Services) -> None:
    scripted = STARTER.replace("bpmn:userTask", "bpmn:scriptTask")
    response = api.post(f"/processes/{KEY}/versions", "pemilik_proses", json={"bpmn": scripted})
    assert response.status_code == 422
    assert any("scriptTask is not allowed" in e for e in response.get_json()["errors"])
    nothing_created(api, services)


def test_only_process_owners_create_processes(api: Api, services: Services) -> None:
    for user in ("admin", "administrator", "inspektur"):
        assert api.post(f"/processes/{KEY}/versions", user,
                        json={"bpmn": STARTER}).status_code == 403
        assert api.post(f"/processes/{KEY}/validate", user,
                        json={"bpmn": STARTER}).status_code == 403
    nothing_created(api, services)


def test_an_inspector_who_also_owns_processes_may_not_create_one(
        api: Api, services: Services) -> None:
    admin = api.login("administrator")
    response = api.client.post("/api/v1/users", headers=admin, json={
        "username": "inspektur_pemilik", "full_name": "Inspektur Pemilik",
        "roles": ["inspektur", "pemilik_proses"], "password": "sandi-yang-panjang-1"})
    assert response.status_code == 201, response.get_json()
    api.login("inspektur_pemilik", "sandi-yang-panjang-1")
    assert api.post(f"/processes/{KEY}/versions", "inspektur_pemilik",
                    json={"bpmn": STARTER}).status_code == 403
    nothing_created(api, services)
