"""SOP 9.14 (incoming letter) through the pages: the letter is registered, the Ketua disposes
it on the disposition sheet to a named Kasubbag with an instruction, that Kasubbag finds it in
"Untuk saya", reads the case in front of them, comments, completes it, and the case closes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from alur.bootstrap import Services
from orchestrator.commands import CompleteTask, StartCase
from orchestrator.passwords import hash_password
from orchestrator.users import User
from tests.browser.conftest import Server, login, shot

PASSWORD = "sandi-uji-panjang-1"
INSTRUCTION = "Siapkan bahan rapat koordinasi dan laporkan hari Kamis"


def registered_letter(services: Services) -> tuple[UUID, str]:
    """Rows 1–3 by the letters officer (no start page here: w-start adds one)."""
    app = services.orchestrator
    officer = services.roles.actor("petugas_admin_surat", ["petugas_admin_surat"])
    case_id = app.start_case(StartCase("sop_9_14", {"perihal": "Undangan rapat koordinasi"},
                                       officer)).case_id
    for note in ("Dicatat di buku agenda", "Dipindai", "Diserahkan kepada Ketua"):
        (task,) = app.get_case(case_id).open_tasks.values()
        app.complete_task(CompleteTask(case_id, UUID(task.task_id), officer, {"catatan": note}))
    return case_id, app.get_case(case_id).registration


def open_from_inbox(page: Any, registration: str, tab: str | None = None) -> None:
    if tab:
        page.get_by_role("link", name=tab).click()
    row = page.get_by_role("row").filter(has_text=registration)
    row.get_by_role("link").first.click()
    page.wait_for_url("**/tugas/*")


def fill(page: Any, label: str, value: str) -> None:
    """A text input, or the user picker another branch renders for user fields."""
    field = page.get_by_label(label)
    if field.evaluate("el => el.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def test_a_letter_disposed_to_a_named_kasubbag_through_the_pages(page: Any,
                                                                   server: Server) -> None:
    app = server.services.orchestrator
    for name, full in (("kasubbag_andi", "Andi Pratama"), ("kasubbag_budi", "Budi Santoso")):
        app.register_user(User(username=name, full_name=full, roles=["kasubbag"],
                               password_hash=hash_password(PASSWORD)))
    case_id, registration = registered_letter(server.services)

    login(page, "ketua")  # row 4 lies in the combined Ketua/Sekretaris KPU lane
    open_from_inbox(page, registration)
    assert "Dicatat di buku agenda" in page.locator("#judul-sebelumnya + ol").inner_text()
    fill(page, "Disposisi kepada", "kasubbag_andi")
    page.get_by_label("Isi disposisi").fill(INSTRUCTION)
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url("**/kasus/*")

    officer = server.services.roles.actor("petugas_admin_surat", ["petugas_admin_surat"])
    (row5,) = app.get_case(case_id).open_tasks.values()
    app.complete_task(CompleteTask(case_id, UUID(row5.task_id), officer,
                                   {"catatan": "Diberikan kepada pejabat"}))

    login(page, "kasubbag_budi", PASSWORD)  # not theirs: not in their inbox at all
    page.get_by_role("link", name="Untuk saya").click()
    assert page.get_by_role("row").filter(has_text=registration).count() == 0

    login(page, "kasubbag_andi", PASSWORD)
    page.get_by_role("link", name="Untuk saya").click()
    mine = page.get_by_role("row").filter(has_text=registration)
    assert "Disposisi dari ketua" in mine.inner_text() and INSTRUCTION in mine.inner_text()
    open_from_inbox(page, registration)
    current = page.locator(".disposisi-kini").inner_text()
    assert INSTRUCTION in current and "Demo Ketua KPU (ketua)" in current
    earlier = page.locator("#judul-sebelumnya + ol").inner_text()
    assert "Disposisi kepada" in earlier and "Andi Pratama (kasubbag_andi)" in earlier
    shot(page, "20-tugas-disposisi")

    page.get_by_label("Tulis komentar pada langkah ini").fill("Bahan rapat sedang disiapkan")
    page.get_by_role("button", name="Kirim komentar").click()
    page.wait_for_url("**/tugas/*")
    assert "Bahan rapat sedang disiapkan" in page.locator("ul.komentar").inner_text()
    page.get_by_label("Catatan").fill("Ditindaklanjuti sesuai disposisi")
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url("**/kasus/*")

    assert app.get_case(case_id).status == "completed"
    page.reload()
    assert page.locator(".lencana-completed").inner_text() == "Selesai"
    done = page.locator("#judul-langkah-lalu + ol").inner_text()
    assert "Ditindaklanjuti sesuai disposisi" in done and INSTRUCTION in done
    assert "Bahan rapat sedang disiapkan" in page.locator("#judul-komentar + ul").inner_text()
    assert "Langkah didisposisikan" in page.locator("ol.lini-masa").inner_text()
    shot(page, "21-kasus-disposisi-selesai")
