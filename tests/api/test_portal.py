"""The public portal's API and pages: intake, tracking tickets, abuse limits."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient
from marshmallow import validate

from alur.bootstrap import Services
from api.intake import KINDS
from api.portal_schemas import Rupiah
from api.ratelimit import Rate
from orchestrator.access import access_log_id
from orchestrator.tickets import PublicTicket, ticket_id

COMPLAINT = {"pelapor_nama": "Siti Aminah", "pelapor_kontak": "siti@example.id",
             "subjek": "Loket tutup lebih awal", "uraian": "Loket tutup pukul 14.00 hari Senin.",
             "lokasi": "Kantor KPU Kota Bontang"}
B = "/api/v1/public"


def report(client: FlaskClient, kind: str, body: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(f"{B}/reports/{kind}", json=body, **kwargs)


def case_of(services: Services, registration: str) -> Any:
    ticket = services.orchestrator.repository.get(ticket_id(registration))
    return services.orchestrator.get_case(UUID(ticket.case_id))


def test_a_complaint_gets_a_number_and_a_code_and_skips_the_reporters_step(
        client: FlaskClient, services: Services) -> None:
    response = report(client, "pengaduan", COMPLAINT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert re.fullmatch(r"9\.3/\d{5}/20\d\d", body["registration"])
    assert re.fullmatch(r"([0-9A-F]{4}-){7}[0-9A-F]{4}", body["tracking_code"])
    case = case_of(services, body["registration"])
    assert case.started_by == "portal" and case.data["kanal"] == "portal"
    assert [t.element_id for t in case.open_tasks.values()] == ["Task_2"]
    completed = [e for e in services.orchestrator.case_events(case.id)
                 if e.type_name == "TaskCompleted"]
    assert [(e.element_id, e.actor) for e in completed] == [("Task_1", "portal")]


def test_case_reporter_step_and_ticket_are_saved_together_or_not_at_all(
        client: FlaskClient, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction: if the ticket cannot be issued, no case is left without one."""
    recorder = services.orchestrator.recorder
    before = recorder.max_notification_id()

    def fail(*_: Any, **__: Any) -> Any:
        raise RuntimeError("no ticket")

    monkeypatch.setattr(PublicTicket, "issue", fail)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    assert report(client, "pengaduan", COMPLAINT).status_code == 500
    assert recorder.max_notification_id() == before
    monkeypatch.undo()
    body = report(client, "pengaduan", COMPLAINT).get_json()
    case = case_of(services, body["registration"])
    events = recorder.select_notifications(start=before + 1, limit=100)
    owners = [("case" if n.originator_id == case.id else n.topic.split(":")[0].split(".")[-1])
              for n in events]
    # one save: the case's events (its start and the reporter's step) in a row, then the
    # registration counter's, then the ticket's; separate saves would interleave them
    assert owners == ["case"] * 5 + ["registration"] * (len(owners) - 6) + ["tickets"]
    assert [n.topic.rsplit(".", 1)[-1] for n in events[:5]] == [
        "Started", "DeadlineSet", "TaskActivated", "TaskCompleted", "TaskActivated"]


def test_only_the_codes_hash_is_stored(client: FlaskClient, services: Services) -> None:
    body = report(client, "pengaduan", COMPLAINT).get_json()
    code = body["tracking_code"]
    ticket: PublicTicket = services.orchestrator.repository.get(ticket_id(body["registration"]))
    wrong = code[:-1] + ("1" if code[-1] == "0" else "0")  # always a different code
    assert ticket.matches(code) and not ticket.matches(wrong)
    stored = services.orchestrator.recorder.select_events(ticket.id)
    assert stored and all(code.encode() not in s.state for s in stored)
    assert all(code.replace("-", "").encode() not in s.state for s in stored)


def test_status_needs_the_right_code_and_never_tells_which_numbers_exist(
        client: FlaskClient) -> None:
    body = report(client, "pengaduan", COMPLAINT).get_json()
    good = client.post(f"{B}/status", json={"registrasi": body["registration"],
                                            "kode": body["tracking_code"].lower()})
    assert good.status_code == 200
    assert good.get_json()["status"] == "active"
    assert good.get_json()["status_label"] == "Sedang diproses"
    assert good.get_json()["deadline_at"].endswith("+08:00")
    wrong_code = client.post(f"{B}/status", json={"registrasi": body["registration"],
                                                  "kode": "0000-0000-0000-0000"})
    unknown = client.post(f"{B}/status", json={"registrasi": "9.3/99999/2026",
                                               "kode": body["tracking_code"]})
    assert wrong_code.status_code == unknown.status_code == 404
    assert wrong_code.get_json() == unknown.get_json()


def test_attachments_are_stored_by_sha256(client: FlaskClient, services: Services) -> None:
    content = b"%PDF-1.4 foto loket\n"
    response = client.post(f"{B}/reports/pengaduan", data={
        **COMPLAINT, "lampiran": (io.BytesIO(content), "../../foto loket.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    case = case_of(services, response.get_json()["registration"])
    sha = hashlib.sha256(content).hexdigest()
    assert case.data["lampiran"] == [{"nama": "foto loket.pdf", "sha256": sha,
                                      "ukuran": len(content)}]
    assert (services.config.data_dir / "lampiran" / sha[:2] / sha).read_bytes() == content


def test_files_of_other_types_are_refused(client: FlaskClient) -> None:
    response = client.post(f"{B}/reports/pengaduan", data={
        **COMPLAINT, "lampiran": (io.BytesIO(b"MZ"), "alat.exe")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "jenis berkas tidak diterima" in response.get_json()["errors"]["lampiran"][0]


def test_the_honeypot_refuses_bots(client: FlaskClient) -> None:
    response = report(client, "pengaduan", {**COMPLAINT, "situs_web": "http://spam.example"})
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Permintaan ditolak."


def test_missing_fields_are_named_in_indonesian(client: FlaskClient) -> None:
    response = report(client, "pengaduan", {"subjek": "x"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["uraian"] == ["Wajib diisi."]
    assert errors["subjek"] == ["Panjang isian 3 sampai 200 karakter."]


def test_submissions_are_rate_limited_per_address(client: FlaskClient) -> None:
    client.application.config["ALUR_PORTAL_SUBMIT_RATE"] = Rate(capacity=2, per_seconds=3600)
    assert [report(client, "pengaduan", COMPLAINT).status_code for _ in range(2)] == [201, 201]
    third = report(client, "pengaduan", COMPLAINT)
    assert third.status_code == 429
    assert int(third.headers["Retry-After"]) > 0
    assert "Terlalu banyak permintaan" in third.get_json()["detail"]
    other = report(client, "pengaduan", COMPLAINT,
                   environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 201


def test_bodies_over_the_limit_are_refused(client: FlaskClient) -> None:
    big = b"0" * (11 * 1024 * 1024)
    response = client.post(f"{B}/reports/pengaduan", data={
        **COMPLAINT, "lampiran": (io.BytesIO(big), "besar.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 413


def test_wbs_seals_the_reporter_or_takes_no_name(client: FlaskClient,
                                                 services: Services) -> None:
    report_body = {"subjek": "Pungutan liar", "uraian": "Ada permintaan uang di loket layanan."}
    named = report(client, "wbs", {**report_body, "pelapor_nama": "Andi",
                                   "pelapor_kontak": "andi@example.id"}).get_json()
    anonymous = report(client, "wbs", {**report_body, "anonim": True,
                                       "pelapor_nama": "Tidak dipakai"}).get_json()
    sealed, bare = case_of(services, named["registration"]), case_of(services,
                                                                     anonymous["registration"])
    assert sealed.sealed.startswith("v1:") and "pelapor_nama" not in sealed.data
    assert bare.sealed == "" and "pelapor_nama" not in bare.data
    assert named["registration"].startswith("9.5/")
    assert report(client, "wbs", report_body).status_code == 422  # no name, not anonymous


def test_gratifikasi_completes_the_reporters_step(client: FlaskClient,
                                                  services: Services) -> None:
    body = report(client, "gratifikasi", {
        "pelapor_nama": "Rina", "pelapor_kontak": "0812000111", "jenis_laporan": "penolakan",
        "tanggal_penerimaan": "2025-01-09", "subjek": "Penolakan bingkisan",
        "uraian": "Menolak bingkisan dari rekanan pengadaan."})
    assert body.status_code == 201, body.get_json()
    case = case_of(services, body.get_json()["registration"])
    assert [t.lane for t in case.open_tasks.values()] == ["upg"]
    assert case.sealed and "pelapor_nama" not in case.data


def test_ppid_request_gets_the_elections_service_time(client: FlaskClient,
                                                      services: Services) -> None:
    body = report(client, "informasi", {
        "pemohon_nama": "LSM Pantau", "pemohon_kontak": "pantau@example.id",
        "jenis_informasi": "pemilu", "subjek": "Rekap DPT 2024",
        "uraian": "Mohon salinan rekapitulasi DPT per kecamatan."}).get_json()
    case = case_of(services, body["registration"])
    assert case.deadline["working_days"] == 3
    (task,) = case.open_tasks.values()
    assert task.lane == "petugas_pelayanan_informasi"  # staff receive it; nothing completed
    assert report(client, "informasi", {"jenis_informasi": "rahasia"}).get_json()[
        "errors"]["jenis_informasi"] == ["Pilih salah satu pilihan."]


def test_unknown_kinds_are_404(client: FlaskClient) -> None:
    assert report(client, "lainnya", COMPLAINT).status_code == 404


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_the_portal_page_needs_its_csrf_token(client: FlaskClient) -> None:
    form = {**COMPLAINT, "situs_web": ""}
    assert client.post("/layanan/pengaduan", data=form).status_code == 400
    token = _csrf(client.get("/layanan/pengaduan").get_data(as_text=True))
    response = client.post("/layanan/pengaduan", data={**form, "csrf_token": token})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Kode pelacakan" in html and "hanya ditampilkan sekali" in html


def test_session_cookie_is_httponly_and_lax(client: FlaskClient) -> None:
    response = client.get("/layanan/pengaduan")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def page_login(client: FlaskClient, username: str) -> None:
    token = _csrf(client.get("/masuk").get_data(as_text=True))
    response = client.post("/masuk", data={"username": username, "password": "demo-alur-2025",
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_only_the_handling_role_sees_a_wbs_reporter_on_the_case_page(
        app: Any, services: Services) -> None:
    body = report(app.test_client(), "wbs", {
        "subjek": "Pungutan liar", "uraian": "Ada permintaan uang di loket layanan.",
        "pelapor_nama": "Andi Rahasia", "pelapor_kontak": "andi@example.id"}).get_json()
    case = case_of(services, body["registration"])
    pages = {}
    for user in ("unit_wbs", "admin"):
        client = app.test_client()
        page_login(client, user)
        pages[user] = client.get(f"/kasus/{case.id}").get_data(as_text=True)
    assert "Andi Rahasia" in pages["unit_wbs"]
    assert "Andi Rahasia" not in pages["admin"] and "[disamarkan]" in pages["admin"]
    reads = services.orchestrator.events.get(access_log_id(case.id))
    assert [e.actor for e in reads if hasattr(e, "actor")][-2:] == ["unit_wbs", "admin"]


@pytest.mark.parametrize("kind, body", [
    ("pengaduan", COMPLAINT),
    ("wbs", {"subjek": "Pungutan liar", "uraian": "Ada permintaan uang di loket layanan.",
             "pelapor_nama": "Andi", "pelapor_kontak": "andi@example.id"}),
    ("wbs", {"subjek": "Pungutan liar", "uraian": "Ada permintaan uang di loket layanan.",
             "anonim": True}),
    ("gratifikasi", {"pelapor_nama": "Rina", "pelapor_kontak": "0812000111",
                     "jenis_laporan": "penerimaan", "subjek": "Bingkisan rekanan",
                     "uraian": "Menerima bingkisan dari rekanan.",
                     "tanggal_penerimaan": "2025-01-09", "nilai_perkiraan": "Rp 500.000"}),
])
def test_the_portal_fills_the_reporters_form_from_the_report(
        client: FlaskClient, services: Services, kind: str, body: dict[str, Any]) -> None:
    """The first row's fields (the report's subject and text, the reporter where the process
    is not sensitive) come from the submission; a sealed identity never enters the task."""
    response = report(client, kind, body)
    assert response.status_code == 201, response.get_json()
    case = case_of(services, response.get_json()["registration"])
    (done,) = [e for e in services.orchestrator.case_events(case.id)
               if e.type_name == "TaskCompleted"]
    assert (done.element_id, done.actor) == ("Task_1", "portal")
    assert done.data["subjek"] == body["subjek"] and done.data["uraian"] == body["uraian"]
    if case.sealed or kind == "wbs":
        assert not [k for k in done.data if k.startswith("pelapor")]
    else:
        assert done.data["pelapor_nama"] == body["pelapor_nama"]


def _first_form(services: Services, process: str) -> dict[str, Any]:
    model, _ = services.orchestrator.model(process)
    return dict(min(model.tasks.values(), key=lambda t: int(t["properties"]["row"]))["form"])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_first_rows_fields_take_what_the_portal_accepts(services: Services,
                                                             kind: str) -> None:
    """A key the portal and the process's first row share is the same thing: whatever the
    portal accepts (its length, its choices) the row's form accepts too, so the portal's
    submission completes the reporter's step, or is the case data the staff's step records."""
    form = _first_form(services, KINDS[kind].process)["properties"]
    shared = sorted(set(KINDS[kind].schema().fields) & set(form))
    assert {"subjek", "uraian"} <= set(shared)
    for name in shared:
        field, schema = KINDS[kind].schema().fields[name], form[name]
        # an amount the portal reads as Rupiah is an integer in the form, the rest is text
        expected = "integer" if isinstance(field, Rupiah) else "string"
        assert schema.get("type") == expected, (kind, name)
        for check in field.validators:
            if isinstance(check, validate.Length) and check.max is not None:
                assert schema["maxLength"] >= check.max, (kind, name)
            if isinstance(check, validate.OneOf):
                assert set(check.choices) <= set(schema["enum"]), (kind, name)
    if kind == "informasi":  # 9.22 row 1 records the request the portal took
        assert {"pemohon_nama", "pemohon_kontak", "tujuan", "cara_memperoleh"} <= set(shared)
