"""Sensitive cases against hostile insiders (issue 13): a process owner deploying BPMN, staff
guessing attachment hashes, staff accounts holding a reporter's lane. Both stores."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask import Flask

from alur.bootstrap import Services
from alur.config import PROJECT_ROOT, Config
from orchestrator.tickets import ticket_id
from tests import bpmn_factory
from tests.api.test_portal import page_login
from tests.conftest import Api
from tests.integration.rawstore import RawStore
from tests.starts import complaint, gratifikasi_start, wbs_start
from tests.steps import step_data

WBS = (PROJECT_ROOT / "processes" / "bpmn" / "sop-9.5.bpmn").read_text(encoding="utf-8")
PENGADUAN = (PROJECT_ROOT / "processes" / "bpmn" / "sop-9.3.bpmn").read_text(encoding="utf-8")
NAME = "Siti Rahmawati Qoriah"
DEFAULT_FORM = ('{"type":"object","properties":{"catatan":{"type":"string","title":"Catatan",'
                '"maxLength":2000}},"required":[],"additionalProperties":false}')
SUBJECT = "Pungutan liar di loket"
REPORT = {"subjek": SUBJECT, "uraian": "Ada permintaan uang di loket layanan.",
          "pelapor_nama": NAME, "pelapor_kontak": "siti@contoh.id"}
OUTSIDERS = ("administrator", "pemilik_proses", "pelapor", "ketua", "kasubbag")
READERS = ("unit_wbs", "sekretaris", "admin", "rapat_pleno", "inspektur")


def with_form(xml: str, form: dict[str, Any], task: str = "Task_2") -> str:
    """The BPMN with one task's form replaced."""
    head, rest = xml.split(f'<bpmn:userTask id="{task}"', 1)
    body, tail = rest.split("</bpmn:userTask>", 1)
    replaced = re.sub(r"""(name="form" value=')[^']*(')""",
                      lambda m: f"{m.group(1)}{json.dumps(form)}{m.group(2)}", body, count=1)
    assert replaced != body, f"{task} has no form to replace"
    return f'{head}<bpmn:userTask id="{task}"{replaced}</bpmn:userTask>{tail}'


def with_role(xml: str, role: str) -> str:
    return xml.replace('name="handling_role" value="unit_wbs"', f'name="handling_role" '
                       f'value="{role}"')


def deploy(api: Api, xml: str, key: str = "sop_9_5", user: str = "pemilik_proses") -> Any:
    return api.post(f"/processes/{key}/versions", user, json={"bpmn": xml})


def approve(api: Api, xml: str, sensitive: bool, role: str | None, key: str = "sop_9_5",
            user: str = "administrator") -> Any:
    sha = hashlib.sha256(xml.encode("utf-8")).hexdigest()
    return api.post(f"/processes/{key}/sensitivity-approvals", user,
                    json={"sha256": sha, "sensitive": sensitive, "handling_role": role})


def portal_wbs(client: Any, services: Services, **files: Any) -> Any:
    """A WBS report through the portal; the case."""
    body = {**REPORT, **files}
    response = client.post("/api/v1/public/reports/wbs", data=body,
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    ticket = services.orchestrator.repository.get(ticket_id(response.get_json()["registration"]))
    return services.orchestrator.get_case(UUID(ticket.case_id)), response.get_json()


def stored_files(config: Config) -> list[Path]:
    root = config.data_dir / "lampiran"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# -- 1. deploy ------------------------------------------------------------------------------

TEXT = {"type": "string", "maxLength": 200}
IDENTITY_FORMS = {
    "pelapor_nama": {"pelapor_nama": TEXT},
    "pelapor_kontak": {"pelapor_kontak": TEXT},
    "nama_lengkap": {"nama_lengkap": TEXT},
    "telepon": {"no_telepon": TEXT},
    "title": {"x1": {**TEXT, "title": "Nomor HP yang bisa dihubungi"}},
    "email format": {"balasan": {**TEXT, "format": "email"}},
    "nested": {"data": {"type": "object", "properties": {"nik": TEXT}}},
    "array": {"saksi": {"type": "array", "items": {"type": "object",
                                                   "properties": {"alamat": TEXT}}}},
}


def test_a_sensitive_form_may_not_collect_identities(api: Api) -> None:
    for label, properties in IDENTITY_FORMS.items():
        form = {"type": "object", "properties": {"catatan": TEXT, **properties}}
        response = deploy(api, with_form(WBS, form))
        assert response.status_code == 422, label
        assert any("identity" in e for e in response.get_json()["errors"]), label
    versions = api.get("/processes/sop_9_5/versions", "pemilik_proses").get_json()
    assert len(versions) == 1
    fine = {"type": "object", "properties": {"catatan": TEXT, "rekomendasi": TEXT}}
    assert deploy(api, with_form(WBS, fine)).status_code == 201


def test_the_handling_role_is_never_a_service_role_a_reporter_or_an_outsider(api: Api) -> None:
    for role in ("pemilik_proses", "administrator", "inspektur", "pelapor",
                 "bendahara_pengeluaran"):
        xml = with_role(WBS, role)
        assert approve(api, xml, True, role).status_code == 422, role
        response = deploy(api, xml)
        assert response.status_code == 422, role
        assert any("handling_role" in e for e in response.get_json()["errors"]), role


def test_a_new_handling_role_needs_an_administrators_approval_of_that_very_bpmn(
        api: Api) -> None:
    xml = with_role(WBS, "sekretaris")
    refused = deploy(api, xml)
    assert refused.status_code == 422
    assert any("approv" in e for e in refused.get_json()["errors"])
    assert approve(api, xml, True, "sekretaris", user="pemilik_proses").status_code == 403
    assert approve(api, xml + " ", True, "sekretaris").status_code == 201  # another sha256
    assert approve(api, xml, True, "rapat_pleno").status_code == 201  # other values
    assert deploy(api, xml).status_code == 422
    approved = approve(api, xml, True, "sekretaris")
    assert approved.status_code == 201, approved.get_json()
    assert approved.get_json()["previous"] == {"sensitive": True, "handling_role": "unit_wbs"}
    assert deploy(api, xml).status_code == 201
    listed = api.get("/processes/sop_9_5/sensitivity-approvals", "pemilik_proses").get_json()
    assert [(a["approver"], a["handling_role"]) for a in listed][-1] == ("administrator",
                                                                         "sekretaris")


def test_four_eyes_the_approver_may_not_deploy_it(api: Api) -> None:
    created = api.post("/users", "administrator", json={
        "username": "dua.peran", "full_name": "Dua Peran", "password": "sandi-panjang-123",
        "roles": ["administrator", "pemilik_proses"]})
    assert created.status_code == 201, created.get_json()
    api.login("dua.peran", "sandi-panjang-123")
    xml = with_role(WBS, "sekretaris")
    assert approve(api, xml, True, "sekretaris", user="dua.peran").status_code == 201
    response = deploy(api, xml, user="dua.peran")
    assert response.status_code == 422
    assert any("four eyes" in e for e in response.get_json()["errors"])
    assert deploy(api, xml).status_code == 201  # another process owner may


def test_a_process_becoming_sensitive_needs_approval(api: Api) -> None:
    """A process that collects no identity (a small rework loop) turned sensitive: only an
    administrator's approval of exactly that BPMN lets it through."""
    plain = bpmn_factory.rework_loop("uji_rahasia").decode()
    assert deploy(api, plain, "uji_rahasia").status_code == 201
    xml = plain.replace('isExecutable="true">', 'isExecutable="true"><bpmn:extensionElements>'
                        '<spiffworkflow:properties>'
                        '<spiffworkflow:property name="sensitive" value="true" />'
                        '<spiffworkflow:property name="handling_role" value="admin" />'
                        '</spiffworkflow:properties></bpmn:extensionElements>', 1)
    refused = deploy(api, xml, "uji_rahasia")
    assert refused.status_code == 422 and "approv" in str(refused.get_json()), refused.get_json()
    assert approve(api, xml, True, "admin", "uji_rahasia").status_code == 201
    response = deploy(api, xml, "uji_rahasia")
    assert response.status_code == 201, response.get_json()
    assert api.get("/processes/uji_rahasia/versions", "pemilik_proses").status_code == 200


def test_the_approval_is_shown_on_the_process_page(app: Flask, api: Api) -> None:
    xml = with_role(WBS, "sekretaris")
    approve(api, xml, True, "sekretaris")
    client = app.test_client()
    page_login(client, "pemilik_proses")
    html = client.get("/proses/sop_9_5").get_data(as_text=True)
    assert "Persetujuan kerahasiaan" in html and "sekretaris" in html
    assert hashlib.sha256(xml.encode()).hexdigest()[:12] in html


def test_identities_never_reach_an_unsealed_event_at_run_time(api: Api, config: Config) -> None:
    open_form = {"type": "object", "properties": {"catatan": TEXT},
                 "additionalProperties": True}
    assert deploy(api, with_form(WBS, open_form)).status_code == 201
    started = api.post("/cases", "admin", json={
        "process": "sop_9_5", "data": wbs_start(uraian="Laporan lewat surat", pelapor_nama=NAME)})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    (task,) = case["open_tasks"]
    assert task["lane"] == "admin"  # the reporter's own step was taken at intake
    for data in ({"pelapor_nama": NAME}, {"nama": NAME}, {"kontak": {"email": NAME}},
                 {"catatan": "ok", "email_pelapor": NAME}):
        response = api.post(f"/tasks/{task['id']}/complete", "admin", json={"data": data})
        assert response.status_code == 422, data
    clear_start = api.post("/cases", "admin", json={
        "process": "sop_9_5", "data": wbs_start(uraian="Laporan", nama=NAME)})
    assert clear_start.status_code == 422
    assert NAME.encode() not in RawStore(config).all_bytes()


# -- 2. lists -------------------------------------------------------------------------------


def test_lists_show_a_sensitive_case_only_to_its_readers_and_log_it(
        app: Flask, api: Api, services: Services) -> None:
    case, _ = portal_wbs(app.test_client(), services)
    plain = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint(subjek="Loket tutup")}).get_json()
    for user in OUTSIDERS:
        assert api.get(f"/cases/{case.id}", user).status_code == 404, user
        assert api.get(f"/cases/{case.id}/export.json", user).status_code == 404, user
        for path in ("/cases", "/cases?q=pungutan", "/cases?process=sop_9_5"):
            text = api.get(path, user).get_data(as_text=True)
            assert SUBJECT not in text and str(case.id) not in text, (user, path)
        board = api.get("/dashboard", user).get_json()
        assert "sop_9_5" not in [p["process"] for p in board], user
        assert "sop_9_5" not in api.get("/sla/overdue", user).get_data(as_text=True), user
        client = app.test_client()
        page_login(client, user)
        html = client.get("/kasus?q=pungutan").get_data(as_text=True)
        assert SUBJECT not in html, user
    assert plain["id"] in api.get("/cases", "administrator").get_data(as_text=True)
    for user in READERS:
        rows = api.get("/cases?q=pungutan", user).get_json()
        assert [r["id"] for r in rows] == [str(case.id)], user
        assert "sop_9_5" in [p["process"] for p in api.get("/dashboard", user).get_json()]
    log = api.get(f"/cases/{case.id}/access-log", "inspektur").get_json()
    listed = [e["actor"] for e in log if e["what"].startswith("list")]
    assert listed == list(READERS)


# -- 3. attachments -------------------------------------------------------------------------


def test_a_known_hash_cannot_be_borrowed_into_another_case(
        app: Flask, api: Api, services: Services, config: Config) -> None:
    evidence = b"%PDF-1.4 bukti pungutan\n"
    sha = hashlib.sha256(evidence).hexdigest()
    portal_wbs(app.test_client(), services, lampiran=(io.BytesIO(evidence), "bukti.pdf"))
    mine = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint(subjek="Kasus saya")}).get_json()
    (task,) = mine["open_tasks"]
    answers = []
    for guess in (sha, "0" * 64):
        data = {"lampiran": [{"nama": "x.pdf", "sha256": guess, "ukuran": 1}]}
        response = api.post(f"/tasks/{task['id']}/complete", task["lane"], json={"data": data})
        assert response.status_code == 422
        answers.append(response.get_json())
    assert answers[0] == answers[1]  # no telling whether the file exists elsewhere
    start = api.post("/cases", "admin", json={
        "process": "sop_9_3",
        "data": complaint(lampiran=[{"nama": "x.pdf", "sha256": sha, "ukuran": 1}])})
    assert start.status_code == 422
    assert api.get(f"/cases/{mine['id']}/attachments/{sha}", "admin").status_code == 404


def test_attachments_are_served_as_downloads_through_a_readable_case_and_logged(
        app: Flask, api: Api, services: Services) -> None:
    page = b"<html><script>alert(1)</script></html>"
    case, _ = portal_wbs(app.test_client(), services, lampiran=(io.BytesIO(page), "bukti.txt"))
    sha = hashlib.sha256(page).hexdigest()
    response = api.get(f"/cases/{case.id}/attachments/{sha}", "unit_wbs")
    assert response.status_code == 200 and response.data == page
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "text/plain"
    for user in ("pelapor", "administrator", "pemilik_proses"):
        assert api.get(f"/cases/{case.id}/attachments/{sha}", user).status_code == 404
    log = api.get(f"/cases/{case.id}/access-log", "inspektur").get_json()
    assert [(e["actor"], e["what"]) for e in log][-1] == ("unit_wbs", f"lampiran {sha[:12]}")
    client = app.test_client()
    page_login(client, "unit_wbs")
    served = client.get(f"/kasus/{case.id}/lampiran/{sha}")
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_reference_renamed_to_html_is_served_as_octet_stream(api: Api) -> None:
    content = b"<svg onload=alert(1)></svg>"
    sha = hashlib.sha256(content).hexdigest()
    case = api.post("/cases", "admin", json={"process": "sop_9_3", "data": complaint()}).get_json()
    (task,) = case["open_tasks"]
    first = {k: v for k, v in step_data(task["form"], catatan="bukti").items() if k != "lampiran"}
    sent = api.post(f"/tasks/{task['id']}/complete-with-files", task["lane"], data={
        "data": json.dumps(first), "lampiran": (io.BytesIO(content), "a.txt")},
        content_type="multipart/form-data")
    assert sent.status_code == 200, sent.get_json()
    shown = api.get(f"/cases/{case['id']}", "admin").get_json()
    assert shown["data"]["lampiran"] == [{"nama": "a.txt", "sha256": sha,
                                          "ukuran": len(content)}]
    (task,) = shown["open_tasks"]
    renamed = step_data(task["form"], lampiran=[{"nama": "a.svg", "sha256": sha,
                                                 "ukuran": len(content)}])
    again = api.post(f"/tasks/{task['id']}/complete", task["lane"], json={"data": renamed})
    assert again.status_code == 200, again.get_json()  # this case already references it
    response = api.get(f"/cases/{case['id']}/attachments/{sha}", "admin")
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"


# -- 4. reporter-side roles -----------------------------------------------------------------


def test_staff_holding_a_reporters_lane_see_no_sensitive_case(
        app: Flask, api: Api, services: Services) -> None:
    wbs, receipt = portal_wbs(app.test_client(), services)
    typed = api.post("/cases", "admin", json={
        "process": "sop_9_5", "data": wbs_start(subjek="Laporan lewat surat")}).get_json()
    grat = api.post("/cases", "upg", json={
        "process": "sop_9_4",
        "data": gratifikasi_start(subjek="Parsel", uraian="Parsel hari raya")}).get_json()
    for user, process, ids in (("pelapor", "sop_9_5", (str(wbs.id), typed["id"])),
                               ("penerima_penolak_gratifikasi", "sop_9_4", (grat["id"],))):
        for case_id in ids:
            assert api.get(f"/cases/{case_id}", user).status_code == 404, user
            tasks = api.get(f"/cases/{case_id}", "inspektur").get_json()["open_tasks"]
            for task in tasks:
                assert api.get(f"/tasks/{task['id']}", user).status_code == 404
        assert process not in {r["process"] for r in api.get("/inbox", user).get_json()}
        assert process not in {r["process"] for r in api.get("/cases", user).get_json()}
        client = app.test_client()
        page_login(client, user)
        assert "Laporan lewat surat" not in client.get("/kotak-masuk").get_data(as_text=True)
    assert [t["lane"] for t in typed["open_tasks"]] == ["admin"]
    assert [t["lane"] for t in grat["open_tasks"]] == ["upg"]
    status = app.test_client().post("/api/v1/public/status", json={
        "registrasi": receipt["registration"], "kode": receipt["tracking_code"]})
    assert status.status_code == 200  # the reporter follows the report by its code
    assert api.get("/inbox?process=sop_9_5", "admin").get_json()  # staff lanes still work


# -- 5. nothing kept from a refused command --------------------------------------------------


def test_a_refused_report_keeps_no_file(app: Flask, config: Config) -> None:
    client = app.test_client()
    too_big = b"1" * (3 * 1024 * 1024 + 1)
    response = client.post("/api/v1/public/reports/pengaduan", data={
        **REPORT, "lokasi": "Bontang", "lampiran": [(io.BytesIO(b"%PDF small"), "a.pdf"),
                               (io.BytesIO(too_big), "b.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert stored_files(config) == []


def test_a_report_that_fails_to_save_keeps_no_file(
        app: Flask, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestrator.tickets import PublicTicket

    def fail(*_: Any, **__: Any) -> Any:
        raise RuntimeError("no ticket")

    monkeypatch.setattr(PublicTicket, "issue", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().post("/api/v1/public/reports/pengaduan", data={
        **REPORT, "lokasi": "Bontang", "lampiran": (io.BytesIO(b"%PDF kept?"), "a.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 500
    assert stored_files(config) == []


def test_a_failed_completion_on_the_task_page_keeps_no_file(
        app: Flask, api: Api, config: Config) -> None:
    case = api.post("/cases", "admin", json={"process": "sop_9_3", "data": complaint()}).get_json()
    (task,) = case["open_tasks"]
    client = app.test_client()
    page_login(client, task["lane"])
    page = f"/kasus/{case['id']}/tugas/{task['id']}"
    html = client.get(page).get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    fields = {k: v for k, v in step_data(task["form"]).items() if k != "lampiran"}
    response = client.post(f"{page}/selesai", data={
        "csrf_token": token, "case_version": "1", **fields,
        "lampiran": (io.BytesIO(b"%PDF stale"), "a.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 409
    assert stored_files(config) == []
    data = {k: v for k, v in step_data(task["form"]).items() if k != "lampiran"}
    kept = api.post(f"/tasks/{task['id']}/complete-with-files", task["lane"], data={
        "data": json.dumps(data), "lampiran": (io.BytesIO(b"%PDF kept"), "a.pdf")},
        content_type="multipart/form-data")
    assert kept.status_code == 200, kept.get_json()
    assert len(stored_files(config)) == 1


def test_verifying_a_sensitive_case_is_for_its_readers(client: Any, api: Api,
                                                      services: Services) -> None:
    """The chain's verdict names the case's size and head: as much a read as any other."""
    case_id = portal_wbs(client, services)[0].id
    for user in OUTSIDERS:
        assert api.get(f"/cases/{case_id}/audit/verify", user).status_code == 404, user
    for user in ("inspektur", "unit_wbs"):
        assert api.get(f"/cases/{case_id}/audit/verify", user).get_json()["ok"] is True, user
