"""The public portal in a browser: report without logging in, keep the code, track it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from tests.browser.conftest import PHONE, Server, login, shot


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


def test_a_ppid_request_incomplete_corrected_by_the_requester_then_answered(
        page: Any, server: Server, tmp_path: Path) -> None:
    """SOP 9.22: 'tidak lengkap' (9.22-b) → the requester's perbaikan on the portal → back to
    row 3 → answered, in one case whose service time is kept and extended once. The staff's
    steps are taken through the application service (their pages have tests of their own)."""
    from datetime import datetime

    from orchestrator.commands import Actor
    from orchestrator.worktime import Duration
    from tests.steps import complete_step

    app = server.services.orchestrator
    petugas = Actor("budi.petugas", frozenset({"petugas_pelayanan_informasi"}))
    ppid = Actor("sari.ppid", frozenset({"ppid"}))
    page.goto("/layanan/informasi")
    page.get_by_label("Nama lengkap atau nama badan").fill("Rina Wulandari")
    page.get_by_label("Email atau nomor telepon").fill("rina@example.id")
    page.get_by_label("Judul singkat").fill("Daftar TPS Pemilu 2024")
    page.get_by_label("Uraian").fill("Mohon salinan daftar TPS se-Kota Bontang tahun 2024.")
    page.get_by_label("Informasi lainnya (10 hari kerja)").check()
    page.get_by_role("button", name="Kirim").click()
    registration = page.locator("#nomor-registrasi").inner_text().strip()
    code = page.locator("#kode-pelacakan").inner_text().strip()
    case_id = UUID(server.services.inbox.cases(
        registration=registration).items[0]["case_id"])

    def check_status(typed: str) -> str:
        page.goto("/layanan/status")
        page.get_by_label("Nomor registrasi").fill(registration)
        page.get_by_label("Kode pelacakan").fill(typed)
        page.get_by_role("button", name="Cek status").click()
        return page.locator("#hasil-status").inner_text()

    first = check_status(code.replace("-", "").lower())  # as people type it
    due = page.locator("#batas-waktu").inner_text()
    assert "Sedang diproses" in first and "menerima informasi dari pemohon" in first

    complete_step(app, case_id, petugas, pemohon_nama="Rina Wulandari")  # row 1
    complete_step(app, case_id, petugas)  # row 2
    complete_step(app, case_id, ppid, hasil_pemeriksaan="tidak_lengkap")  # row 3
    complete_step(app, case_id, ppid, kekurangan="Lampirkan pindaian KTP pemohon.")  # 9.22-b 1
    login(page, "ppid")  # the PPID extends the service time once, on the case page
    page.goto(f"/kasus/{case_id}")
    page.get_by_label("Alasan perpanjangan waktu layanan").fill(
        "Dokumen TPS masih dihimpun dari PPK.")
    page.get_by_role("button", name="Perpanjang waktu layanan").click()
    assert "dengan alasan: Dokumen TPS masih dihimpun dari PPK." in \
        page.locator("#perpanjangan").inner_text()
    assert page.locator("#form-perpanjang").count() == 0  # once
    page.context.clear_cookies()

    waiting = check_status(code)
    assert "Tidak lengkap" in waiting and "Lampirkan pindaian KTP pemohon." in waiting
    assert "7 hari kerja, dengan alasan: Dokumen TPS masih dihimpun dari PPK." in waiting
    assert "budi.petugas" not in waiting and "sari.ppid" not in waiting  # roles only
    extended = page.locator("#batas-waktu").inner_text()
    case = app.get_case(case_id)
    start = datetime.fromisoformat(case.deadline["set_at"])
    assert server.services.calendar.add(start, Duration(days=17)).strftime("%Y") in extended
    assert extended != due
    shot(page, "40-ppid-tidak-lengkap")

    step = page.locator("#langkah-pemohon")
    assert "dapat mengajukan perbaikan" in step.inner_text()
    step.get_by_role("radio", name="Mengajukan perbaikan").check()
    step.get_by_role("textbox", name="Perbaikan permintaan informasi publik").fill(
        "Pindaian KTP saya serahkan di desk pelayanan.")
    scan = tmp_path / "ktp.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 64)
    step.locator("input[type=file]").set_input_files(str(scan))
    page.get_by_role("button", name="Kirim").click()
    assert "langkah Anda telah dicatat" in page.locator("#pesan-langkah").inner_text()
    assert "pemeriksaan kelengkapan" in page.locator("#tahap-saat-ini").inner_text()
    assert page.locator("#langkah-pemohon").count() == 0
    assert page.locator("#batas-waktu").inner_text() == extended  # the clock kept running
    taken = [e for e in app.case_events(case_id) if e.type_name == "TaskCompleted"][-1]
    assert (taken.element_id, taken.actor) == ("Task_b_2", "portal")
    assert taken.data["lampiran"][0]["nama"] == "ktp.png"

    complete_step(app, case_id, ppid, hasil_pemeriksaan="lengkap")  # row 3 again
    complete_step(app, case_id, petugas,
                  isi_pemberitahuan="Daftar TPS kami kirim ke rina@example.id.")  # row 4
    done = check_status(code)
    assert "Selesai" in done and "Lengkap" in done
    assert "Daftar TPS kami kirim ke rina@example.id." in done
    assert page.locator("#batas-waktu").inner_text() == extended
    assert page.locator("#ajukan-keberatan").count() == 1  # the right to object, offered
    shot(page, "41-ppid-dijawab")
