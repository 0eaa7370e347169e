"""SOP 9.22's hand-offs in one case: 'tidak lengkap' (9.22-b) back to row 3 after the
requester's own perbaikan on the portal, 'ditolak' (9.22-c); what the public sees of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from alur.bootstrap import Services
from api.ratelimit import Rate
from orchestrator.commands import Actor, ExtendDeadline
from orchestrator.worktime import Duration
from tests.steps import complete_step

B = "/api/v1/public"
REQUEST = {"pemohon_nama": "Rina Wulandari", "pemohon_kontak": "rina@example.id",
           "subjek": "Daftar TPS Pemilu 2024",
           "uraian": "Mohon salinan daftar TPS se-Kota Bontang.",
           "jenis_informasi": "lainnya"}
PETUGAS = Actor("demo-petugas", frozenset({"petugas_pelayanan_informasi"}))
PPID = Actor("demo-ppid", frozenset({"ppid"}))


def _request(client: FlaskClient) -> tuple[str, str, UUID]:
    body = client.post(f"{B}/reports/informasi", json=REQUEST).get_json()
    status = _status(client, body["registration"], body["tracking_code"])
    assert status["status"] == "active", status
    app = client.application.extensions["alur"].orchestrator
    from orchestrator.tickets import ticket_id
    case_id = UUID(app.repository.get(ticket_id(body["registration"])).case_id)
    return body["registration"], body["tracking_code"], case_id


def _status(client: FlaskClient, registration: str, code: str) -> dict[str, Any]:
    response = client.post(f"{B}/status", json={"registrasi": registration, "kode": code})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _open(services: Services, case_id: UUID) -> list[str]:
    return [t.element_id for t in services.orchestrator.get_case(case_id).open_tasks.values()]


def _to_row_3(services: Services, case_id: UUID) -> None:
    app = services.orchestrator
    complete_step(app, case_id, PETUGAS, pemohon_nama=REQUEST["pemohon_nama"])  # row 1
    complete_step(app, case_id, PETUGAS)  # row 2
    assert _open(services, case_id) == ["Task_3"]


def _incomplete(services: Services, case_id: UUID) -> None:
    app = services.orchestrator
    _to_row_3(services, case_id)
    complete_step(app, case_id, PPID, hasil_pemeriksaan="tidak_lengkap")
    assert _open(services, case_id) == ["Task_b_1"]
    complete_step(app, case_id, PPID, kekurangan="Lampirkan pindaian KTP pemohon.")
    assert _open(services, case_id) == ["Task_b_2"]


def test_tidak_lengkap_perbaikan_on_the_portal_and_answer_in_one_case_deadline_kept(
        client: FlaskClient, services: Services) -> None:
    app = services.orchestrator
    registration, code, case_id = _request(client)
    deadline = app.get_case(case_id).deadline
    assert deadline is not None and deadline["working_days"] == 10
    due = _status(client, registration, code)["deadline_at"]
    _incomplete(services, case_id)

    status = _status(client, registration, code)
    assert [(s["flowchart"], s["row"]) for s in status["open_steps"]] == [("sop_9_22_b", "2")]
    assert status["current_steps"] == [
        "Pemohon informasi publik dapat mengajukan perbaikan permintaan informasi publik"]
    shown = {o["field"]: o["value"] for o in status["outcome"]}
    assert shown["hasil_pemeriksaan"] == "Tidak lengkap"
    assert shown["kekurangan"] == "Lampirkan pindaian KTP pemohon."
    assert "demo-ppid" not in str(status) and "demo-petugas" not in str(status)
    (step,) = status["requester_steps"]
    assert step["row"] == "2" and "perbaikan_diajukan" in step["form"]["properties"]

    # the extension of Keputusan 33/2025 (10 + 7 working days), once, with its reason
    app.extend_deadline(ExtendDeadline(case_id, PPID, "Dokumen TPS masih dihimpun dari PPK."))
    extended = _status(client, registration, code)
    assert extended["extension"]["working_days"] == 7
    assert extended["extension"]["reason"] == "Dokumen TPS masih dihimpun dari PPK."
    calendar = services.calendar
    assert datetime.fromisoformat(extended["deadline_at"]) == calendar.add(
        datetime.fromisoformat(due), Duration(days=7))
    again = client.application.extensions["alur"].orchestrator
    with pytest.raises(Exception, match="already been extended"):
        again.extend_deadline(ExtendDeadline(case_id, PPID, "lagi"))

    # the requester's perbaikan, the code typed in lower case without dashes
    typed = code.replace("-", "").lower()
    response = client.post(f"{B}/steps/{step['task_id']}", json={
        "registrasi": registration.lower(), "kode": typed,
        "data": {"perbaikan_diajukan": "diajukan",
                 "uraian_perbaikan": "Pindaian KTP terlampir di kantor."}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["requester_steps"] == []
    assert _open(services, case_id) == ["Task_3"]  # back to row 3, the same case
    case = app.get_case(case_id)
    assert case.deadline == app.get_case(case_id).deadline and case.deadline["set_at"] == \
        deadline["set_at"]
    taken = [e for e in app.case_events(case_id) if e.type_name == "TaskCompleted"
             and e.element_id == "Task_b_2"]
    assert [(e.actor, e.data["perbaikan_diajukan"]) for e in taken] == [("portal", "diajukan")]

    complete_step(app, case_id, PPID, hasil_pemeriksaan="lengkap")
    complete_step(app, case_id, PETUGAS, isi_pemberitahuan="Daftar TPS dikirim melalui email.")
    done = _status(client, registration, code)
    assert done["status"] == "completed" and done["ended_as"] == "Selesai"
    shown = {o["field"]: o["value"] for o in done["outcome"]}
    assert shown["hasil_pemeriksaan"] == "Lengkap"
    assert shown["isi_pemberitahuan"] == "Daftar TPS dikirim melalui email."
    assert done["deadline_at"] == extended["deadline_at"]
    assert [s["row"] for s in done["done_steps"]] == ["1", "2", "3", "1", "2", "3", "4"]


def test_ditolak_runs_the_refusal_table_in_the_same_case_and_shows_the_reason(
        client: FlaskClient, services: Services) -> None:
    app = services.orchestrator
    registration, code, case_id = _request(client)
    _to_row_3(services, case_id)
    complete_step(app, case_id, PPID, hasil_pemeriksaan="ditolak")
    assert _open(services, case_id) == ["Task_c_1"]
    complete_step(app, case_id, PPID, alasan_penolakan="belum_dikuasai",
                  uraian_alasan_penolakan="Informasi dikuasai KPU Provinsi.")
    complete_step(app, case_id, PETUGAS)
    status = _status(client, registration, code)
    assert status["status"] == "completed"
    assert status["ended_as"] == "Selesai: permohonan ditolak"
    shown = {o["field"]: o["value"] for o in status["outcome"]}
    assert shown["alasan_penolakan"] == "Informasi belum dikuasai atau didokumentasikan"
    assert shown["uraian_alasan_penolakan"] == "Informasi dikuasai KPU Provinsi."


def test_a_requester_completes_only_the_requester_step_of_their_own_case(
        client: FlaskClient, services: Services) -> None:
    app = services.orchestrator
    registration, code, case_id = _request(client)
    other_registration, other_code, other_id = _request(client)
    staff_task = next(iter(app.get_case(case_id).open_tasks))  # row 1, the desk's
    before = app.recorder.max_notification_id()
    body = {"registrasi": registration, "kode": code, "data": {"catatan": "x"}}
    assert client.post(f"{B}/steps/{staff_task}", json=body).status_code == 404
    _incomplete(services, other_id)
    (theirs,) = _status(client, other_registration, other_code)["requester_steps"]
    answer = {"perbaikan_diajukan": "diajukan"}
    # my code does not open their step; a wrong code opens nothing; both answers alike
    mine = client.post(f"{B}/steps/{theirs['task_id']}", json={
        "registrasi": registration, "kode": code, "data": answer})
    wrong = client.post(f"{B}/steps/{theirs['task_id']}", json={
        "registrasi": other_registration, "kode": code, "data": answer})
    assert mine.status_code == wrong.status_code == 404
    assert "tidak cocok" in wrong.get_json()["detail"]
    bad = client.post(f"{B}/steps/{theirs['task_id']}", json={
        "registrasi": other_registration, "kode": other_code,
        "data": {"perbaikan_diajukan": "mungkin"}})
    assert bad.status_code == 422, bad.get_json()
    missing = client.post(f"{B}/steps/{theirs['task_id']}", json={"registrasi": registration})
    assert missing.status_code == 422
    assert app.recorder.max_notification_id() > before  # only _incomplete's steps, then:
    after = app.recorder.max_notification_id()
    assert client.post(f"{B}/steps/{theirs['task_id']}", json={
        "registrasi": other_registration, "kode": other_code,
        "data": {"perbaikan_diajukan": "mungkin"}}).status_code == 422
    assert app.recorder.max_notification_id() == after  # nothing appended on bad input


def test_requester_steps_are_rate_limited_like_status_lookups(client: FlaskClient) -> None:
    client.application.config["ALUR_PORTAL_STEP_RATE"] = Rate(capacity=2, per_seconds=3600)
    body = {"registrasi": "9.22/00001/2026", "kode": "AAAA-BBBB-CCCC-DDDD", "data": {}}
    codes = [client.post(f"{B}/steps/nope", json=body).status_code for _ in range(3)]
    assert codes == [404, 404, 429]


def test_a_sealed_case_shows_its_outcome_only(client: FlaskClient) -> None:
    body = client.post(f"{B}/reports/gratifikasi", json={
        "pelapor_nama": "Andi Saputra", "pelapor_kontak": "andi@example.id",
        "subjek": "Parsel lebaran", "uraian": "Menerima parsel dari rekanan pengadaan.",
        "jenis_laporan": "penerimaan", "tanggal_penerimaan": "02/01/2026"}).get_json()
    status = _status(client, body["registration"], body["tracking_code"].lower())
    text = str(status)
    assert "Andi" not in text and "andi@example.id" not in text and "portal" not in text
    assert status["requester_steps"] == []
    assert all(set(s) == {"row", "flowchart", "activity", "role", "completed_at"}
               for s in status["done_steps"])


def test_the_requester_objects_with_the_same_code_and_both_cases_are_linked(
        client: FlaskClient, services: Services) -> None:
    app = services.orchestrator
    client.application.config["ALUR_PORTAL_SUBMIT_RATE"] = Rate(capacity=50, per_seconds=60)
    registration, code, case_id = _request(client)
    _to_row_3(services, case_id)
    early = client.post(f"{B}/keberatan", json={
        "registrasi": registration, "kode": code, "alasan": "penolakan",
        "uraian": "Belum dijawab, tetapi saya keberatan."})
    assert early.status_code == 409  # before the answer and within the service time
    assert not _status(client, registration, code)["may_object"]
    complete_step(app, case_id, PPID, hasil_pemeriksaan="ditolak")
    complete_step(app, case_id, PPID, alasan_penolakan="dikecualikan",
                  uraian_alasan_penolakan="Informasi dikecualikan.")
    complete_step(app, case_id, PETUGAS)
    status = _status(client, registration, code)
    assert status["may_object"] and "penolakan" in status["objection_reasons"]
    before = app.recorder.max_notification_id()
    unknown = client.post(f"{B}/keberatan", json={
        "registrasi": registration, "kode": code, "alasan": "bosan", "uraian": "x" * 20})
    assert unknown.status_code == 422 and app.recorder.max_notification_id() == before
    wrong = client.post(f"{B}/keberatan", json={
        "registrasi": registration, "kode": "AAAA-BBBB-CCCC-DDDD", "alasan": "penolakan",
        "uraian": "Informasi ini bukan informasi yang dikecualikan."})
    assert wrong.status_code == 404
    response = client.post(f"{B}/keberatan", json={
        "registrasi": registration, "kode": code.lower(), "alasan": "penolakan",
        "uraian": "Informasi ini bukan informasi yang dikecualikan."})
    assert response.status_code == 201, response.get_json()
    objection = response.get_json()["registration"]
    assert objection.startswith("9.22-d/") and response.get_json()["of"] == registration
    again = client.post(f"{B}/keberatan", json={
        "registrasi": registration, "kode": code, "alasan": "penolakan",
        "uraian": "Informasi ini bukan informasi yang dikecualikan."})
    assert again.status_code == 409

    request_status = _status(client, registration, code)
    assert request_status["linked"] == [{"relation": "keberatan", "registration": objection}]
    assert not request_status["may_object"]
    objection_status = _status(client, objection, code)  # the same code opens it
    assert objection_status["linked"] == [{"relation": "permohonan",
                                           "registration": registration}]
    from orchestrator.tickets import ticket_id
    other = app.get_case(UUID(app.repository.get(ticket_id(objection)).case_id))
    assert other.process_key == "sop_9_22_d" and other.started_by == "portal"
    assert other.data["registrasi_permohonan"] == registration
    assert other.data["pemohon_nama"] == REQUEST["pemohon_nama"]
    linked = [e for e in app.case_events(case_id) if e.type_name == "CaseLinked"]
    assert [(e.relation, e.other_registration, e.actor) for e in linked] == [
        ("keberatan", objection, "portal")]


def _csrf(client: FlaskClient) -> str:
    import re
    html = client.get("/layanan/status").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_the_status_page_takes_the_perbaikan_and_the_objection(
        client: FlaskClient, services: Services) -> None:
    app = services.orchestrator
    client.application.config["ALUR_PORTAL_SUBMIT_RATE"] = Rate(capacity=50, per_seconds=60)
    registration, code, case_id = _request(client)
    _incomplete(services, case_id)
    token = _csrf(client)
    page = client.post("/layanan/status", data={"registrasi": registration, "kode": code,
                                                "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Langkah Anda" in html and "Lampirkan pindaian KTP pemohon." in html
    assert "Ajukan keberatan" not in html  # not yet: no answer, time not passed
    (step,) = _status(client, registration, code)["requester_steps"]
    target = f"/layanan/status/langkah/{step['task_id']}"
    wrong = client.post(target, data={"registrasi": registration, "kode": "AAAA-BBBB-CCCC",
                                      "perbaikan_diajukan": "diajukan", "csrf_token": token})
    assert wrong.status_code == 404 and "tidak cocok" in wrong.get_data(as_text=True)
    refused = client.post(target, data={"registrasi": registration, "kode": code,
                                        "csrf_token": token})
    assert refused.status_code == 422 and _open(services, case_id) == ["Task_b_2"]
    done = client.post(target, data={"registrasi": registration, "kode": code,
                                     "perbaikan_diajukan": "diajukan",
                                     "uraian_perbaikan": "KTP dikirim lewat email.",
                                     "csrf_token": token})
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    assert "langkah Anda telah dicatat" in done.get_data(as_text=True)
    assert _open(services, case_id) == ["Task_3"]

    complete_step(app, case_id, PPID, hasil_pemeriksaan="lengkap")
    complete_step(app, case_id, PETUGAS)
    html = client.post("/layanan/status", data={"registrasi": registration, "kode": code,
                                                "csrf_token": token}).get_data(as_text=True)
    assert "Ajukan keberatan" in html
    objected = client.post("/layanan/status/keberatan", data={
        "registrasi": registration, "kode": code, "alasan": "tidak_sesuai",
        "uraian": "Yang dikirim bukan daftar TPS tahun 2024.", "csrf_token": token})
    text = objected.get_data(as_text=True)
    assert objected.status_code == 201 and "Keberatan Anda telah dicatat" in text
    assert "Keberatan atas permohonan ini" in text and "Ajukan keberatan kepada" not in text


def _run(services: Services, case_id: UUID, answers: dict[str, dict[str, Any]],
         until: int = 20) -> None:
    """Complete the case's steps as their lanes (the disposed holder where disposed) with
    sample data and ``answers`` per element id, until none is open or ``until`` steps."""
    app = services.orchestrator
    for _ in range(until):
        case = app.get_case(case_id)
        if not case.open_tasks:
            return
        task = next(iter(case.open_tasks.values()))
        actor = Actor(task.claimed_by or f"staf-{task.lane}", frozenset({task.lane}))
        complete_step(app, case_id, actor, task.task_id, **answers.get(task.element_id, {}))


@pytest.mark.parametrize("decision, label", [("benar", "Benar (Y)"),
                                             ("tidak_benar", "Tidak Benar (T)")])
def test_a_complaints_status_shows_the_plenos_decision_and_the_follow_up(
        client: FlaskClient, services: Services, decision: str, label: str) -> None:
    body = client.post(f"{B}/reports/pengaduan", json={
        "pelapor_nama": "Siti Aminah", "pelapor_kontak": "siti@example.id",
        "subjek": "Loket tutup lebih awal", "uraian": "Loket tutup pukul 14.00 hari Senin.",
        "lokasi": "Kantor KPU Kota Bontang"}).get_json()
    from orchestrator.tickets import ticket_id
    app = services.orchestrator
    case_id = UUID(app.repository.get(ticket_id(body["registration"])).case_id)
    _run(services, case_id, {"Task_7": {"keputusan_pleno": decision},
                             "Task_8": {"hasil_tindak_lanjut": "Jam layanan loket diperbaiki."}})
    status = _status(client, body["registration"], body["tracking_code"])
    assert status["status"] == "completed"
    shown = {o["field"]: o["value"] for o in status["outcome"]}
    assert shown["keputusan_pleno"] == label
    if decision == "benar":
        assert shown["hasil_tindak_lanjut"] == "Jam layanan loket diperbaiki."
    assert "staf-" not in str(status) and "'unit_pengaduan'" not in str(status)


def test_a_gratuity_reports_status_shows_when_it_was_forwarded_and_nobody_by_name(
        client: FlaskClient, services: Services) -> None:
    body = client.post(f"{B}/reports/gratifikasi", json={
        "pelapor_nama": "Andi Saputra", "pelapor_kontak": "andi@example.id",
        "subjek": "Parsel lebaran", "uraian": "Menerima parsel dari rekanan pengadaan.",
        "jenis_laporan": "penerimaan", "tanggal_penerimaan": "02/01/2026"}).get_json()
    from orchestrator.tickets import ticket_id
    app = services.orchestrator
    case_id = UUID(app.repository.get(ticket_id(body["registration"])).case_id)
    _run(services, case_id, {"Task_3": {"tanggal_penyampaian": "2026-01-12"}})
    status = _status(client, body["registration"], body["tracking_code"])
    assert status["status"] == "completed"
    assert [(o["field"], o["value"]) for o in status["outcome"]] == [
        ("tanggal_penyampaian", "2026-01-12")]
    text = str(status)
    assert "Andi" not in text and "staf-" not in text and "hasil_reviu" not in text


def test_the_desk_records_a_correction_not_submitted_and_the_case_ends(
        client: FlaskClient, services: Services, api: Any) -> None:
    """No case waits for ever on the public: the desk (the process's staff starter) takes the
    requester's 9.22-b row 2 on their behalf, here "tidak menyerahkan perbaikan"; the PPID
    may not, and the desk's step is recorded under its own name."""
    registration, code, case_id = _request(client)
    _incomplete(services, case_id)
    (step,) = _status(client, registration, code)["requester_steps"]
    path = f"/cases/{case_id}/tasks/{step['task_id']}"
    from tests.api.test_page_login import log_in
    log_in(client, "petugas_pelayanan_informasi")  # the case page offers the desk the step
    case_page = client.get(f"/kasus/{case_id}").get_data(as_text=True)
    assert f"/kasus/{case_id}/tugas/{step['task_id']}" in case_page
    task_page = client.get(f"/kasus/{case_id}/tugas/{step['task_id']}")
    assert task_page.status_code == 200 and "Tidak menyerahkan perbaikan" in \
        task_page.get_data(as_text=True)
    assert api.get(path, "ppid").status_code == 404
    assert api.get(path, "petugas_pelayanan_informasi").status_code == 200
    refused = api.post(f"{path}/complete", "ppid",
                       json={"data": {"perbaikan_diajukan": "tidak_diajukan"}})
    assert refused.status_code in (403, 404)
    taken = api.post(f"{path}/complete", "petugas_pelayanan_informasi",
                     json={"data": {"perbaikan_diajukan": "tidak_diajukan"}})
    assert taken.status_code == 200, taken.get_json()
    assert _open(services, case_id) == ["Task_b_3"]
    complete_step(services.orchestrator, case_id, PETUGAS)
    status = _status(client, registration, code)
    assert status["ended_as"] == "Selesai: perbaikan tidak diserahkan"
    assert {o["field"]: o["value"] for o in status["outcome"]}["perbaikan_diajukan"] == \
        "Tidak menyerahkan perbaikan"
    event = [e for e in services.orchestrator.case_events(case_id)
             if e.type_name == "TaskCompleted" and e.element_id == "Task_b_2"][-1]
    assert event.actor == "petugas_pelayanan_informasi"


def test_the_case_page_extends_the_service_time_once_with_a_reason(
        client: FlaskClient, services: Services) -> None:
    from tests.api.test_page_login import csrf_token, log_in
    registration, code, case_id = _request(client)
    log_in(client, "ppid")
    html = client.get(f"/kasus/{case_id}").get_data(as_text=True)
    assert "Perpanjang waktu layanan" in html
    token = csrf_token(html)
    before = services.orchestrator.recorder.max_notification_id()
    empty = client.post(f"/kasus/{case_id}/perpanjang", data={"alasan": " ",
                                                               "csrf_token": token})
    assert empty.status_code == 422
    assert services.orchestrator.recorder.max_notification_id() == before
    done = client.post(f"/kasus/{case_id}/perpanjang", data={
        "alasan": "Menunggu salinan dari PPK.", "csrf_token": token})
    assert done.status_code == 302
    again = client.post(f"/kasus/{case_id}/perpanjang", data={
        "alasan": "Lagi.", "csrf_token": token})
    assert again.status_code == 409
    page = client.get(f"/kasus/{case_id}").get_data(as_text=True)
    assert "Menunggu salinan dari PPK." in page and 'id="form-perpanjang"' not in page
    shown = _status(client, registration, code)["extension"]
    assert shown["working_days"] == 7 and shown["reason"] == "Menunggu salinan dari PPK."
