"""The public portal in a browser: report without logging in, keep the code, track it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from tests.browser.conftest import PHONE, Server, shot


def test_submit_a_public_complaint_and_track_it(page: Any, server: Server,
                                                tmp_path: Path) -> None:
    page.goto("/")
    page.get_by_role("link", name="Buka layanan publik").click()
    shot(page, "15-layanan")
    page.get_by_role("link", name="Isi formulir pengaduan masyarakat").click()
    page.get_by_role("button", name="Kirim").click()
    assert "Periksa kembali" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Judul singkat").get_attribute("aria-invalid") == "true"
    shot(page, "16-pengaduan-galat")
    photo = tmp_path / "foto-loket.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    page.get_by_label("Nama lengkap").fill("Budi Santoso")
    page.get_by_label("Email atau nomor telepon").fill("0812-5555-1234")
    page.get_by_label("Judul singkat").fill("Antrean tidak tertib")
    page.get_by_label("Uraian").fill("Nomor antrean dilewati tanpa pemberitahuan kepada warga.")
    page.get_by_label("Lokasi kejadian").fill("Kantor KPU Kota Bontang")
    page.get_by_label("Lampiran (tidak wajib)").set_input_files(str(photo))
    page.get_by_role("button", name="Kirim").click()
    registration = page.locator("#nomor-registrasi").inner_text().strip()
    code = page.locator("#kode-pelacakan").inner_text().strip()
    assert registration.startswith("9.3/") and len(code) == 39
    shot(page, "17-tanda-terima")

    page.get_by_role("link", name="Cek status").click()
    page.get_by_label("Nomor registrasi").fill(registration)
    page.get_by_label("Kode pelacakan").fill("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-0000-1111")
    page.get_by_role("button", name="Cek status").click()
    wrong = page.get_by_role("alert").inner_text()
    page.get_by_label("Nomor registrasi").fill("9.3/99999/2026")
    page.get_by_label("Kode pelacakan").fill(code)
    page.get_by_role("button", name="Cek status").click()
    assert page.get_by_role("alert").inner_text() == wrong
    assert "tidak cocok" in wrong

    page.get_by_label("Nomor registrasi").fill(registration)
    page.get_by_label("Kode pelacakan").fill(code.lower())
    page.get_by_role("button", name="Cek status").click()
    status = page.locator("#hasil-status").inner_text()
    assert "Sedang diproses" in status and "admin menerima aduan" in status
    shot(page, "18-status")
    case = server.services.orchestrator.get_case(
        UUID(server.services.inbox.cases(
            registration=registration).items[0]["case_id"]))
    assert case.data["lampiran"][0]["nama"] == "foto-loket.png"
    assert [t.element_id for t in case.open_tasks.values()] == ["Task_2"]


def test_anonymous_wbs_report_on_a_phone(page: Any, server: Server) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/layanan/wbs")
    page.get_by_label("Saya melapor tanpa nama").check()
    page.get_by_label("Judul singkat").fill("Dugaan pungutan liar")
    page.get_by_label("Uraian").fill("Ada permintaan uang untuk mempercepat layanan di loket.")
    shot(page, "19-wbs-ponsel")
    page.get_by_role("button", name="Kirim").click()
    registration = page.locator("#nomor-registrasi").inner_text().strip()
    assert registration.startswith("9.5/")
    server.services.projections.catch_up()
    row = server.services.inbox.cases(registration=registration).items[0]
    case = server.services.orchestrator.get_case(UUID(row["case_id"]))
    assert case.sealed == "" and not any(k.startswith("pelapor") for k in case.data)
