"""A Petugas administrasi surat registers an incoming letter from /mulai with its scan, finds it
in the buku agenda surat masuk with its number, and exports the agenda as XLSX."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from tests.browser.conftest import Server, login, shot


def test_an_incoming_letter_is_registered_and_exported(page: Any, server: Server) -> None:
    login(page, "petugas_admin_surat")
    page.get_by_role("link", name="Mulai", exact=True).click()
    page.get_by_role("link", name="SOP 9.14 — PENATAUSAHAAN SURAT MASUK").click()
    shot(page, "20-mulai-surat-masuk")
    page.get_by_label("Nomor surat").fill("005/PP.01/Pemkot/I/2025")
    page.get_by_label("Tanggal surat").fill("2025-01-09")
    page.get_by_label("Asal surat").fill("Pemerintah Kota Bontang")
    page.get_by_label("Perihal").fill("Undangan rapat koordinasi")
    page.get_by_label("Segera", exact=True).check()
    page.get_by_label("Hardcopy", exact=True).check()
    page.get_by_label("Ketua KPU", exact=True).check()
    page.set_input_files("#isian-lampiran", files=[
        {"name": "surat-005.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 pindaian"}])
    page.get_by_role("button", name="Mulai kasus").click()
    page.wait_for_url("**/kasus/*/tugas/*")  # the officer's own next step: documenting it
    assert "dimulai" in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_role("link", name="Buku Agenda Surat Masuk").click()
    row = page.locator("#register tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "1"
    number = row.locator("td").nth(1).inner_text()
    assert number.startswith("9.14/00001/")
    assert "Undangan rapat koordinasi" in row.inner_text() and "Segera" in row.inner_text()
    shot(page, "21-buku-agenda-surat-masuk")

    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh XLSX").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("No.", "Nomor registrasi", "Tanggal", "Proses")
    assert values[1][0] == 1 and values[1][1] == number
    assert "005/PP.01/Pemkot/I/2025" in values[1] and "Pemerintah Kota Bontang" in values[1]
