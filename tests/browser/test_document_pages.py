"""SOP 9.13 (outgoing letter) through the pages: the Kasubbag presses "Buat dokumen" on the
drafting step and downloads the numbered letter (a real DOCX), the Ketua uploads the signed
scan at the signing step naming that letter, and the case page shows it signed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from uuid import UUID

import docx

from orchestrator.commands import StartCase
from tests.browser.conftest import Server, login, shot
from tests.starts import start_data
from tests.steps import complete_step


def test_a_letter_is_made_downloaded_and_signed_through_the_pages(
        page: Any, server: Server, tmp_path: Path) -> None:
    services = server.services
    app = services.orchestrator
    ketua = services.roles.actor("ketua", ["ketua"])
    model, _ = app.model("sop_9_13")
    case_id = app.start_case(StartCase("sop_9_13", start_data(
        model, perihal="Undangan rapat pleno", tujuan_surat="Ketua DPRD Kota Bontang"),
        ketua)).case_id
    complete_step(app, case_id, ketua, penerima_disposisi="kasubbag",
                  perihal_surat="Undangan rapat pleno", tujuan_surat="Ketua DPRD Kota Bontang")
    (drafting,) = app.get_case(case_id).open_tasks.values()

    login(page, "kasubbag")
    page.goto(f"/kasus/{case_id}/tugas/{drafting.task_id}")
    page.get_by_role("button", name="Buat dokumen: Surat Keluar (DOCX)").click()
    page.wait_for_url(f"**/tugas/{drafting.task_id}")
    assert "Surat Keluar nomor 1/PY.02.1-SD/6474/" in page.locator("body").inner_text()
    shot(page, "tugas-buat-dokumen")
    with page.expect_download() as download:
        page.locator("table.dokumen a").first.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".docx"
    letter = docx.Document(io.BytesIO(saved.read_bytes()))
    assert "Yth. Ketua DPRD Kota Bontang" in [p.text for p in letter.paragraphs]

    kasubbag = services.roles.actor("kasubbag", ["kasubbag"])
    complete_step(app, case_id, kasubbag)
    complete_step(app, case_id, services.roles.actor("anggota_kpu", ["anggota_kpu"]))
    (signing,) = app.get_case(case_id).open_tasks.values()
    scan = tmp_path / "surat-bertanda-tangan.pdf"
    scan.write_bytes(b"%PDF-1.4 ttd")

    login(page, "ketua")
    page.goto(f"/kasus/{case_id}/tugas/{signing.task_id}")
    page.get_by_label("Ketua KPU Kota Bontang").check()
    page.locator("#isian-tanggal_surat").fill("2026-03-03")
    page.locator("#isian-lampiran").set_input_files(str(scan))
    page.get_by_label("Berkas yang diunggah adalah versi bertanda tangan dari").select_option(
        index=1)
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url(f"**/kasus/{case_id}")
    documents = page.locator("#judul-dokumen + table").inner_text()
    assert "Ditandatangani" in documents and "surat-bertanda-tangan.pdf" in documents
    shot(page, "kasus-dokumen")
    (doc,) = app.get_case(UUID(str(case_id))).generated()
    assert doc["signed"][0]["name"] == "surat-bertanda-tangan.pdf"
