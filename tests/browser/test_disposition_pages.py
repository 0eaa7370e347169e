"""SOP 9.14 (incoming letter) through the pages only, as the office works it: the letters
officer registers the letter on /mulai with its scan, records it (row 1, the fields the start
already gave filled in), documents and hands it over (rows 2–3); the Ketua disposes it on the
disposition sheet (row 4) to a named Kasubbag with an instruction; the officer passes it on
(row 5); only that Kasubbag finds it in "Untuk saya", reads the case in front of them,
comments, follows it up (row 6), and the case closes with its whole history."""

from __future__ import annotations

from typing import Any

from orchestrator.passwords import hash_password
from orchestrator.users import User
from tests.browser.conftest import Server, login, shot

PASSWORD = "sandi-uji-panjang-1"
INSTRUCTION = "Siapkan bahan rapat koordinasi dan laporkan hari Kamis"
SCAN = {"name": "surat-005.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 pindaian"}


def open_from_inbox(page: Any, registration: str, tab: str | None = None) -> None:
    page.get_by_role("link", name="Kotak masuk", exact=True).first.click()
    if tab:
        page.get_by_role("link", name=tab).click()
    row = page.get_by_role("row").filter(has_text=registration)
    row.get_by_role("link").first.click()
    page.wait_for_url("**/tugas/*")


def take_and_finish(page: Any) -> None:
    """Complete the step shown (a ready step is taken by completing it)."""
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url("**/kasus/*")


def register_letter(page: Any) -> str:
    login(page, "petugas_admin_surat")
    page.get_by_role("link", name="Mulai", exact=True).click()
    page.get_by_role("link", name="SOP 9.14 — PENATAUSAHAAN SURAT MASUK").click()
    page.get_by_label("Nomor surat").fill("005/PP.01/Pemkot/I/2025")
    page.get_by_label("Tanggal surat").fill("2025-01-09")
    page.get_by_label("Asal surat").fill("Pemerintah Kota Bontang")
    page.get_by_label("Perihal").fill("Undangan rapat koordinasi")
    page.get_by_label("Segera", exact=True).check()
    page.get_by_label("Hardcopy", exact=True).check()
    page.get_by_label("Ketua KPU", exact=True).check()
    page.set_input_files("#isian-lampiran", files=[SCAN])
    page.get_by_role("button", name="Mulai kasus").click()
    page.wait_for_url("**/kasus/*/tugas/*")
    return page.locator("dt:has-text('Nomor registrasi') + dd").first.inner_text().strip()


def test_a_letter_disposed_to_a_named_kasubbag_through_the_pages(page: Any,
                                                                   server: Server) -> None:
    app = server.services.orchestrator
    for name, full in (("kasubbag_andi", "Andi Pratama"), ("kasubbag_budi", "Budi Santoso")):
        app.register_user(User(username=name, full_name=full, roles=["kasubbag"],
                               password_hash=hash_password(PASSWORD)))
    registration = register_letter(page)

    # row 1: what the start form gave is already filled in; the officer adds the rest
    assert page.get_by_label("Nomor surat masuk").input_value() == "005/PP.01/Pemkot/I/2025"
    assert page.get_by_label("Pengirim surat").input_value() == "Pemerintah Kota Bontang"
    page.get_by_label("Tanggal surat diterima").fill("2025-01-10")
    page.get_by_label("Nomor pada buku agenda surat masuk").fill(registration)
    page.get_by_label("Catatan").fill("Dicatat di buku agenda")
    take_and_finish(page)
    open_from_inbox(page, registration)  # row 2: the scan and the disposition sheet
    page.set_input_files("#isian-lampiran", files=[
        {**SCAN, "name": "lembar-disposisi.pdf"}])
    page.get_by_label("Catatan").fill("Dipindai")
    take_and_finish(page)
    open_from_inbox(page, registration)  # row 3: handed to the Ketua
    page.get_by_label("Diserahkan kepada").select_option("ketua")
    page.get_by_label("Tanggal diserahkan").fill("2025-01-10")
    take_and_finish(page)

    login(page, "ketua")  # row 4 lies in the combined Ketua/Sekretaris KPU lane
    open_from_inbox(page, registration)
    assert "Dicatat di buku agenda" in page.locator("#judul-sebelumnya + ol").inner_text()
    page.get_by_label("Disposisi kepada").select_option("kasubbag_andi")
    page.get_by_label("Isi disposisi").fill(INSTRUCTION)
    page.get_by_label("Tanggal disposisi").fill("2025-01-10")
    take_and_finish(page)

    login(page, "petugas_admin_surat")  # row 5: the sheet goes with the letter
    open_from_inbox(page, registration)
    page.get_by_label("Tanggal diserahkan kepada pejabat").fill("2025-01-10")
    page.set_input_files("#isian-lampiran", files=[
        {**SCAN, "name": "lembar-disposisi-terisi.pdf"}])
    take_and_finish(page)

    login(page, "kasubbag_budi", PASSWORD)  # not theirs: not in their inbox at all
    page.get_by_role("link", name="Untuk saya").click()
    assert page.get_by_role("row").filter(has_text=registration).count() == 0

    login(page, "kasubbag_andi", PASSWORD)
    page.get_by_role("link", name="Untuk saya").click()
    mine = page.get_by_role("row").filter(has_text=registration)
    assert "Disposisi dari ketua" in mine.inner_text() and INSTRUCTION in mine.inner_text()
    mine.get_by_role("link").first.click()
    page.wait_for_url("**/tugas/*")
    current = page.locator(".disposisi-kini").inner_text()
    assert INSTRUCTION in current and "Demo Ketua KPU (ketua)" in current
    earlier = page.locator("#judul-sebelumnya + ol").inner_text()
    assert "Disposisi kepada" in earlier and "Andi Pratama (kasubbag_andi)" in earlier
    assert "Undangan rapat koordinasi" in page.content()  # the case in front of them
    shot(page, "20-tugas-disposisi")

    page.get_by_label("Tulis komentar pada langkah ini").fill("Bahan rapat sedang disiapkan")
    page.get_by_role("button", name="Kirim komentar").click()
    page.wait_for_url("**/tugas/*")
    assert "Bahan rapat sedang disiapkan" in page.locator("ul.komentar").inner_text()
    page.get_by_label("Tanggal surat yang telah didisposisi diterima").fill("2025-01-13")
    page.get_by_label("Tindak lanjut sesuai isi disposisi").fill(
        "Bahan rapat disiapkan dan dilaporkan")
    page.get_by_label("Catatan").fill("Ditindaklanjuti sesuai disposisi")
    take_and_finish(page)

    case_url = page.url
    page.goto(case_url)
    assert page.locator(".lencana-completed").inner_text() == "Selesai"
    done = page.locator("#judul-langkah-lalu + ol").inner_text()
    assert "Ditindaklanjuti sesuai disposisi" in done and INSTRUCTION in done
    assert "Bahan rapat sedang disiapkan" in page.locator("#judul-komentar + ul").inner_text()
    assert "Langkah didisposisikan" in page.locator("ol.lini-masa").inner_text()
    shot(page, "21-kasus-disposisi-selesai")
