"""Process owners over HTTP: validate, deploy a version, list versions, diff two versions."""

from __future__ import annotations

from pathlib import Path

from alur.config import PROJECT_ROOT
from tests.conftest import Api
from tests.starts import complaint
from tools.form_samples import sample

SOP_9_3 = (PROJECT_ROOT / "processes" / "bpmn" / "sop-9.3.bpmn").read_text(encoding="utf-8")
P = "/processes/sop_9_3"


def changed(xml: str = SOP_9_3) -> str:
    """SOP 9.3 with step 2 taking two days and a renamed step 3."""
    xml = xml.replace('name="duration" value="1 hari" />', 'name="duration" value="2 hari" />', 1)
    return xml.replace('name="Sekretaris meneruskan', 'name="Sekretaris segera meneruskan', 1)


def test_validation_reports_engine_errors_and_catalogue_warnings(api: Api) -> None:
    clean = api.post(f"{P}/validate", "pemilik_proses", json={"bpmn": SOP_9_3}).get_json()
    assert clean == {"key": "sop_9_3", "valid": True, "errors": [], "warnings": [],
                     "name": clean["name"]}
    warned = api.post(f"{P}/validate", "pemilik_proses", json={"bpmn": changed()}).get_json()
    assert warned["valid"] is True
    assert warned["warnings"] == [
        "baris 2 (Task_2): duration '2 hari' berbeda dari katalog '1 hari'"]
    moved = SOP_9_3.replace("<bpmn:flowNodeRef>Task_2</bpmn:flowNodeRef>", "").replace(
        "<bpmn:flowNodeRef>Task_3</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>Task_3</bpmn:flowNodeRef><bpmn:flowNodeRef>Task_2</bpmn:flowNodeRef>")
    lanes = api.post(f"{P}/validate", "pemilik_proses", json={"bpmn": moved}).get_json()
    assert "baris 2 (Task_2): lajur 'sekretaris' berbeda dari katalog 'admin'" in lanes[
        "warnings"]


def test_invalid_bpmn_is_not_valid(api: Api) -> None:
    scripted = SOP_9_3.replace("<bpmn:userTask id=\"Task_2\"", "<bpmn:scriptTask id=\"Task_2\"")
    scripted = scripted.replace("</bpmn:userTask>\n    <bpmn:userTask id=\"Task_3\"",
                                "</bpmn:scriptTask>\n    <bpmn:userTask id=\"Task_3\"")
    result = api.post(f"{P}/validate", "pemilik_proses", json={"bpmn": scripted}).get_json()
    assert result["valid"] is False
    assert any("scriptTask is not allowed" in e for e in result["errors"])
    broken = api.post(f"{P}/validate", "pemilik_proses", data="<bpmn:definitions",
                      headers={"Content-Type": "application/xml"}).get_json()
    assert broken["valid"] is False and "not well-formed" in broken["errors"][0]


def test_only_process_owners_validate_and_deploy(api: Api) -> None:
    for user in ("admin", "inspektur", "administrator"):
        assert api.post(f"{P}/versions", user, json={"bpmn": changed()}).status_code == 403
        assert api.post(f"{P}/validate", user, json={"bpmn": SOP_9_3}).status_code == 403
    assert api.client.post(f"/api/v1{P}/versions", json={"bpmn": SOP_9_3}).status_code == 401


def test_deploy_a_new_version_then_the_same_again(api: Api) -> None:
    first = api.post(f"{P}/versions", "pemilik_proses", data=changed().encode(),
                     headers={"Content-Type": "application/xml"})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["version"] == 2 and first.get_json()["created"] is True
    again = api.post(f"{P}/versions", "pemilik_proses", json={"bpmn": changed()})
    assert again.status_code == 200 and again.get_json()["created"] is False
    versions = api.get(f"{P}/versions", "admin").get_json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["deployed_by"] == "pemilik_proses"
    assert [v["source"] for v in versions] == ["file:processes/bpmn/sop-9.3.bpmn", "api"]


def test_an_undeployable_version_is_a_422_with_the_errors(api: Api) -> None:
    bad = SOP_9_3.replace('name="Admin"', 'name="Juru Masak"')
    response = api.post(f"{P}/versions", "pemilik_proses", json={"bpmn": bad})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert any("Juru Masak" in e for e in response.get_json()["errors"])
    assert response.get_json()["title"] == "InvalidDefinition"
    empty = api.post(f"{P}/versions", "pemilik_proses", json={"xml": SOP_9_3})
    assert empty.status_code == 422 and "bpmn" in empty.get_json()["errors"]


def test_diff_names_changed_elements_and_properties(api: Api) -> None:
    api.post(f"{P}/versions", "pemilik_proses", json={"bpmn": changed()})
    diff = api.get(f"{P}/diff?from=1&to=2", "admin").get_json()
    assert diff["from"] == 1 and diff["to"] == 2
    assert diff["added"] == [] and diff["removed"] == []
    by_id = {c["id"]: c["changes"] for c in diff["changed"]}
    assert by_id["Task_2"] == [{"field": "properties.duration", "from": "1 hari",
                                "to": "2 hari"}]
    assert by_id["Task_3"][0]["field"] == "name"
    assert api.get(f"{P}/diff?from=1&to=7", "admin").status_code == 404
    assert api.get(f"{P}/diff?from=1", "admin").status_code == 422


def test_diff_lists_added_and_removed_elements(api: Api, tmp_path: Path) -> None:
    annotated = SOP_9_3.replace(
        "</bpmn:process>",
        '<bpmn:textAnnotation id="Note_1"><bpmn:text>Catatan</bpmn:text>'
        "</bpmn:textAnnotation></bpmn:process>")
    api.post(f"{P}/versions", "pemilik_proses", json={"bpmn": annotated})
    diff = api.get(f"{P}/diff?from=1&to=2", "admin").get_json()
    assert [e["id"] for e in diff["added"]] == ["Note_1"]
    back = api.get(f"{P}/diff?from=2&to=1", "admin").get_json()
    assert [e["id"] for e in back["removed"]] == ["Note_1"]


def test_running_cases_keep_their_version(api: Api) -> None:
    old = api.post("/cases", "admin", json={"process": "sop_9_3", "data": complaint()}).get_json()
    api.post(f"{P}/versions", "pemilik_proses", json={"bpmn": changed()})
    new = api.post("/cases", "admin", json={"process": "sop_9_3", "data": complaint()}).get_json()
    assert (old["version"], new["version"]) == (1, 2)
    task = old["open_tasks"][0]
    done = api.post(f"/tasks/{task['id']}/complete", "pelapor",
                    json={"data": sample(task["form"])})
    assert done.status_code == 200, done.get_json()
    assert api.get(f"/cases/{old['id']}", "admin").get_json()["version"] == 1


def test_unknown_processes_are_404(api: Api) -> None:
    assert api.get("/processes/sop_0_0/versions", "admin").status_code == 404
    assert api.get("/processes/sop_0_0/diff?from=1&to=2", "admin").status_code == 404


def test_another_process_file_does_not_create_a_process_under_a_new_key(api: Api) -> None:
    checked = api.post("/processes/sop_0_0/validate", "pemilik_proses",
                       json={"bpmn": SOP_9_3}).get_json()
    assert checked["valid"] is False
    assert checked["errors"] == ["the executable process id must be 'sop_0_0' (found: sop_9_3)"]
    assert api.get("/processes/sop_0_0/versions", "admin").status_code == 404
