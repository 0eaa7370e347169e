"""SOP 9.3 through the pages only: a citizen complains on the portal, every step is done by
its lane's demo user in the browser, and the citizen tracks it to the end."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import UUID

from tests.browser.conftest import PHONE, Server, fill_form, login, shot

LANES = {"Task_2": "admin", "Task_3": "sekretaris", "Task_4": "unit_pengaduan",
         "Task_5": "sekretaris", "Task_6": "rapat_pleno", "Task_7": "rapat_pleno",
         "Task_8": "unit_pengaduan", "Task_9": "admin"}


def complain(page: Any) -> tuple[str, str]:
    page.goto("/layanan/pengaduan")
    page.get_by_label("Nama lengkap").fill("Siti Aminah")
    page.get_by_label("Email atau nomor telepon").fill("siti@example.id")
    page.get_by_label("Judul singkat").fill("Loket tutup sebelum jam layanan")
    page.get_by_label("Uraian").fill("Pada hari Senin loket layanan sudah tutup pukul 14.00.")
    page.get_by_label("Lokasi kejadian").fill("Kantor KPU Kota Bontang")
    page.get_by_role("button", name="Kirim").click()
    registration = page.locator("#nomor-registrasi").inner_text().strip()
    code = page.locator("#kode-pelacakan").inner_text().strip()
    return registration, code


def do_step(page: Any, user: str, registration: str, element_id: str,
            form: dict[str, Any], document: Path) -> None:
    login(page, user)
    page.get_by_label("Cari nomor registrasi atau perihal").fill(registration)
    page.get_by_role("button", name="Terapkan").click()
    row = page.get_by_role("row").filter(has_text=registration)
    row.get_by_role("link").click()
    page.wait_for_url("**/tugas/*")
    if element_id == "Task_7":
        page.get_by_role("radio", name="Benar (Y)").check()
    if element_id == "Task_9":
        page.get_by_role("radio", name="Laporan lanjut").check()
    fill_form(page, form, document)
    page.get_by_label("Catatan").fill(f"Dikerjakan oleh {user}")
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url("**/kasus/*")
    assert "selesai" in page.get_by_role("status").inner_text()


def case_of(server: Server, registration: str) -> UUID:
    server.services.projections.catch_up()
    page = server.services.inbox.cases(registration=registration)
    return UUID(page.items[0]["case_id"])


def test_a_complaint_followed_to_its_end_through_the_pages(page: Any, server: Server,
                                                           tmp_path: Path) -> None:
    document = tmp_path / "laporan.pdf"
    document.write_bytes(b"%PDF-1.4 laporan\n")
    registration, code = complain(page)
    assert re.fullmatch(r"9\.3/\d{5}/20\d\d", registration)
    case_id = case_of(server, registration)
    app = server.services.orchestrator
    done = []
    while (case := app.get_case(case_id)).status == "active":
        (task,) = case.open_tasks.values()
        assert task.lane == LANES[task.element_id]
        do_step(page, task.lane, registration, task.element_id, task.form, document)
        done.append(task.element_id)
        if task.element_id == "Task_4":
            shot(page, "06-kasus-sedang-berjalan")
    assert done == list(LANES)
    assert app.get_case(case_id).status == "completed"
    page.reload()
    assert page.locator(".lencana-completed").inner_text() == "Selesai"
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator(".djs-element.alur-selesai").count() >= 9
    shot(page, "07-kasus-selesai")
    page.goto("/layanan/status")
    page.get_by_label("Nomor registrasi").fill(registration)
    page.get_by_label("Kode pelacakan").fill(code)
    page.get_by_role("button", name="Cek status").click()
    assert "Selesai" in page.locator("#hasil-status").inner_text()
    page.set_viewport_size(PHONE)
    shot(page, "08-status-ponsel")
