"""Step forms that ask for what the decree's row names: a letter's number and date, a named
official, attendees added and removed, Rupiah with thousands separators, a required document;
messages in Indonesian, no inline script (the page fixture fails on a CSP violation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from orchestrator.commands import Actor, CompleteTask, StartCase
from orchestrator.references import references
from tests.browser.conftest import Server, login, shot
from tests.starts import start_data
from tests.steps import step_data


def start(server: Server, process: str, lane: str, subject: str) -> Any:
    app = server.services.orchestrator
    model, _ = app.model(process)
    named = (model.start_form or {}).get("properties") or {}
    data = start_data(model, **({"subjek": subject} if "subjek" in named else {}))
    result = app.start_case(StartCase(process, data, Actor(lane, frozenset({lane}))))
    server.services.projections.catch_up()
    return app.get_case(result.case_id)


def walk_to(server: Server, case_id: UUID, element_id: str) -> Any:
    """Complete the steps before ``element_id`` through the write side, with valid data."""
    app = server.services.orchestrator
    while True:
        (task,) = app.get_case(case_id).open_tasks.values()
        if task.element_id == element_id:
            server.services.projections.catch_up()
            return task
        data = step_data(task.form, **({"hasil_pemeriksaan": "setuju"}
                                       if "hasil_pemeriksaan" in task.form["properties"] else {}))
        # the sample's documents stand for files uploaded with the completion
        app.complete_task(CompleteTask(case_id, UUID(task.task_id),
                                       Actor(task.lane, frozenset({task.lane})), data),
                          uploaded=frozenset(references(data)))


def open_step(page: Any, user: str, registration: str) -> None:
    login(page, user)
    page.get_by_role("row").filter(has_text=registration).get_by_role("link").first.click()
    page.wait_for_url("**/tugas/*")


def completed_data(server: Server, case_id: UUID, element_id: str) -> dict[str, Any]:
    (done,) = [e for e in server.services.orchestrator.case_events(case_id)
               if e.type_name == "TaskCompleted" and e.element_id == element_id]
    return dict(done.data)


def test_a_disposition_names_its_official_and_needs_the_scanned_letter(
        page: Any, server: Server, tmp_path: Path) -> None:
    case = start(server, "sop_9_6", "ketua", "Permohonan PAW anggota DPRD")
    open_step(page, "ketua", case.registration)
    for label in ("Nomor surat Pimpinan DPRD", "Tanggal surat Pimpinan DPRD",
                  "Pindaian surat Pimpinan DPRD Kota Bontang"):
        assert "(wajib)" in page.locator("label", has_text=label).inner_text()
    official = page.get_by_label("Disposisi kepada (Sekretaris KPU Kota Bontang)")
    assert "Demo Sekretaris — Sekretaris" in official.inner_text()
    page.get_by_role("button", name="Selesaikan langkah").click()
    summary = page.get_by_role("alert").inner_text()
    # the letter's number came with the start: filled in, not asked again
    assert "Nomor surat Pimpinan DPRD: Wajib diisi." not in summary
    assert page.get_by_label("Nomor surat Pimpinan DPRD").input_value() == \
        case.data["nomor_surat_dprd"]
    assert "Perihal surat Pimpinan DPRD: Wajib diisi." in summary
    assert "Disposisi kepada (Sekretaris KPU Kota Bontang): Pilih salah satu." in summary
    page.get_by_label("Nomor surat Pimpinan DPRD").fill("100/123/DPRD/2025")
    page.get_by_label("Tanggal surat Pimpinan DPRD").fill("2025-01-09")
    page.get_by_label("Perihal surat Pimpinan DPRD").fill("Permohonan calon pengganti antarwaktu")
    official.select_option("sekretaris")
    page.get_by_label("Isi disposisi").fill("Fasilitasi rapat pleno PAW.")
    page.get_by_role("button", name="Selesaikan langkah").click()
    assert "Pindaian surat Pimpinan DPRD Kota Bontang: Wajib diisi." in \
        page.get_by_role("alert").inner_text()
    letter = tmp_path / "surat-dprd.pdf"
    letter.write_bytes(b"%PDF-1.4 surat pimpinan DPRD\n")
    page.get_by_label("Pindaian surat Pimpinan DPRD Kota Bontang").set_input_files(str(letter))
    shot(page, "09-tugas-disposisi")
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url(f"**/kasus/{case.id}")
    data = completed_data(server, case.id, "Task_1")
    assert (data["nomor_surat_dprd"], data["tanggal_surat_dprd"], data["penerima_disposisi"]) \
        == ("100/123/DPRD/2025", "2025-01-09", "sekretaris")
    assert data["lampiran"][0]["nama"] == "surat-dprd.pdf"


def test_attendees_are_rows_added_and_removed(page: Any, server: Server) -> None:
    case = start(server, "sop_9_6", "ketua", "Rapat pleno PAW")
    walk_to(server, case.id, "Task_5")
    open_step(page, "rapat_pleno", case.registration)
    attendees = page.get_by_role("group", name="Daftar hadir rapat pleno")
    assert attendees.locator("[data-baris]").count() == 1  # the script keeps one empty row
    add = attendees.get_by_role("button", name="Tambah baris")
    for name, post in (("Andi", "Ketua"), ("Budi", "Anggota"), ("Citra", "")):
        rows = attendees.locator("[data-baris]")
        if rows.nth(rows.count() - 1).locator("input").first.input_value():
            add.click()
        last = attendees.locator("[data-baris]").last
        last.get_by_placeholder("Nama").fill(name)
        last.get_by_placeholder("Jabatan").fill(post)
    attendees.locator("[data-baris]").nth(1).get_by_role("button", name="Hapus baris").click()
    assert attendees.locator("[data-baris]").count() == 2
    page.get_by_label("Tanggal rapat pleno").fill("2025-01-13")
    page.get_by_label("Risalah/notulen rapat pleno").fill("Calon pengganti memenuhi syarat.")
    page.get_by_label("Nama calon pengganti yang diperiksa dan diteliti").fill("Dewi Lestari")
    page.get_by_label("Partai politik").fill("Partai Contoh")
    page.get_by_label("Daerah pemilihan").fill("Bontang Utara")
    page.get_by_label("Perolehan suara (terbanyak kedua)").fill("1520")
    shot(page, "10-tugas-daftar-hadir")
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url(f"**/kasus/{case.id}")
    data = completed_data(server, case.id, "Task_5")
    assert data["peserta_rapat"] == [{"nama": "Andi", "jabatan": "Ketua"}, {"nama": "Citra"}]
    assert data["perolehan_suara"] == 1520 and data["tanggal_rapat_pleno"] == "2025-01-13"


def test_rupiah_is_shown_with_separators_and_stored_as_an_amount(
        page: Any, server: Server, tmp_path: Path) -> None:
    case = start(server, "sop_9_8", "pbj", "Pengadaan laptop")
    open_step(page, "pbj", case.registration)
    amount = page.get_by_label("Nilai kontrak")
    amount.fill("1,5")
    page.get_by_label("Nomor kontrak (surat perjanjian)").fill("01/SP/KPU-BTG/2025")
    page.get_by_label("Tanggal kontrak").fill("2025-02-03")
    page.get_by_label("Nama penyedia").fill("CV Contoh Jaya")
    page.get_by_role("button", name="Selesaikan langkah").click()
    assert "Tulis jumlah Rupiah tanpa sen, misalnya Rp 1.250.000." in \
        page.get_by_role("alert").inner_text()
    amount = page.get_by_label("Nilai kontrak")
    amount.fill("125000000")
    amount.blur()
    assert amount.input_value() == "Rp 125.000.000"
    contract = tmp_path / "kontrak.pdf"
    contract.write_bytes(b"%PDF-1.4 kontrak\n")
    page.get_by_label("Dokumen kontrak dan lampirannya").set_input_files(str(contract))
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url(f"**/kasus/{case.id}")
    assert completed_data(server, case.id, "Task_1")["nilai_kontrak"] == 125000000
