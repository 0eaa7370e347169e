"""Staff pages in a real browser: log in, claim, complete with an attachment, see the case."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from uuid import UUID

from orchestrator.commands import Actor, CompleteTask, StartCase
from tests.browser.conftest import PHONE, Server, fill_form, login, shot
from tests.starts import complaint
from tools.form_samples import sample


def start_complaint(server: Server, subject: str) -> Any:
    app = server.services.orchestrator
    result = app.start_case(StartCase("sop_9_3", complaint(subjek=subject, lokasi="Bontang"),
                                      Actor("admin", frozenset({"admin"}))))
    server.services.projections.catch_up()
    return app.get_case(result.case_id)


def test_wrong_password_is_refused_in_indonesian(page: Any, server: Server) -> None:
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill("admin")
    page.get_by_label("Kata sandi").fill("salah")
    page.get_by_role("button", name="Masuk").click()
    assert page.get_by_role("alert").inner_text() == "Nama pengguna atau kata sandi salah."
    shot(page, "01-masuk")


def test_forms_without_csrf_token_are_refused(page: Any, server: Server) -> None:
    login(page, "pelapor")
    response = page.request.post(f"{server.url}/keluar", form={"x": "1"})
    assert response.status == 400
    assert "Formulir kedaluwarsa" in response.text()


def test_log_in_claim_and_complete_a_task_with_attachment(page: Any, server: Server,
                                                         tmp_path: Path) -> None:
    case = start_complaint(server, "Antrean layanan terlalu lama")
    login(page, "pelapor")
    row = page.get_by_role("row").filter(has_text=case.registration)
    assert "Jatuh tempo" in page.get_by_role("table").inner_text()
    assert re.search(r"\d{1,2} \w+ 20\d\d \d\d\.\d\d WITA", row.inner_text())
    shot(page, "02-kotak-masuk")
    row.get_by_role("button", name=re.compile("^Ambil")).click()
    page.wait_for_url("**/tugas/*")
    assert page.get_by_text("diambil", exact=False).first.is_visible()
    for label in ("Baris SOP", "Kelengkapan/persyaratan", "Output yang diharapkan", "Jatuh tempo"):
        assert page.locator("dt", has_text=label).count() == 1
    document = tmp_path / "bukti-antrean.pdf"
    document.write_bytes(b"%PDF-1.4 bukti antrean\n")
    fill_form(page, case.open_tasks[next(iter(case.open_tasks))].form, document)
    page.get_by_label("Catatan").fill("Laporan disampaikan di loket")
    page.get_by_label("Berkas laporan pengaduan").set_input_files(str(document))
    shot(page, "03-tugas")
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url(f"**/kasus/{case.id}")
    assert "selesai" in page.get_by_role("status").inner_text()
    sha = hashlib.sha256(document.read_bytes()).hexdigest()
    assert page.get_by_role("link", name="bukti-antrean.pdf").first.is_visible()
    stored = server.services.config.data_dir / "lampiran" / sha[:2] / sha
    assert stored.read_bytes() == document.read_bytes()
    completed = [e for e in server.services.orchestrator.case_events(case.id)
                 if e.type_name == "TaskCompleted"]
    assert completed[0].data["lampiran"] == [
        {"nama": "bukti-antrean.pdf", "sha256": sha, "ukuran": document.stat().st_size}]
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator(".djs-element.alur-selesai[data-element-id=Task_1]").count() == 1
    assert page.locator(".djs-element.alur-kini[data-element-id=Task_2]").count() == 1
    shot(page, "04-kasus")
    page.set_viewport_size(PHONE)
    shot(page, "04-kasus-ponsel")


def test_a_decision_is_radio_buttons_labelled_from_the_form(page: Any, server: Server) -> None:
    case = start_complaint(server, "Petugas tidak ramah")
    walk_to(server, case.id, "Task_7")
    login(page, "rapat_pleno")
    page.get_by_role("link", name=re.compile("Rapat Pleno")).first.click()
    group = page.get_by_role("group", name=re.compile("Keputusan Rapat Pleno"))
    assert group.get_by_role("radio", name="Benar (Y)").is_visible()
    assert group.get_by_role("radio", name="Tidak Benar (T)").is_visible()
    page.get_by_role("button", name="Selesaikan langkah").click()
    assert "Pilih salah satu." in page.get_by_role("alert").inner_text()
    page.keyboard.press("Tab")
    group.get_by_role("radio", name="Tidak Benar (T)").check()
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url(f"**/kasus/{case.id}")
    assert page.get_by_text("Selesai", exact=True).first.is_visible()
    page.set_viewport_size(PHONE)
    login(page, "unit_pengaduan")
    shot(page, "05-kotak-masuk-ponsel")


def walk_to(server: Server, case_id: Any, element_id: str) -> None:
    """Complete the case's steps through the write side until ``element_id`` is open."""
    app = server.services.orchestrator
    while True:
        case = app.get_case(case_id)
        (task,) = case.open_tasks.values()
        if task.element_id == element_id:
            server.services.projections.catch_up()
            return
        app.complete_task(CompleteTask(case_id, UUID(task.task_id),
                                       Actor(task.lane, frozenset({task.lane})),
                                       sample(task.form)))
