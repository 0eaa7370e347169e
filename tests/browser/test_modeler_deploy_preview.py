""""Terapkan" shows what changes against the latest deployed version (elements added, removed,
changed, in Indonesian) and deploys only once the owner confirms; cancelling changes nothing,
and a model identical to the latest version offers nothing to deploy."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Server, login, shot
from tests.browser.test_modeler_translations import open_modeler, rename, select

DEPLOY = "Terapkan sebagai versi baru"


def set_duration(page: Any, element_id: str, value: str) -> None:
    select(page, element_id)
    field = page.get_by_label(re.compile(r"^Waktu \(duration\)"))
    field.fill(value)
    field.press("Tab")
    page.wait_for_timeout(400)  # the panel debounces input


def append_task(page: Any, after: str) -> str:
    """Append a task to an element with its context pad; the new task's id."""
    select(page, after)
    before = set(page.evaluate("() => window.alurModeler.get('elementRegistry').getAll()"
                               ".map((e) => e.id)"))
    page.locator(".djs-context-pad [data-action='append.append-task']").click()
    page.keyboard.press("Escape")  # leave the label editing
    after_ids = set(page.evaluate("() => window.alurModeler.get('elementRegistry').getAll()"
                                  ".map((e) => e.id)"))
    return next(i for i in after_ids - before if i.startswith("Activity_"))


def delete(page: Any, element_id: str) -> None:
    select(page, element_id)
    page.locator(".djs-context-pad [data-action=delete]").click()


def versions(server: Server) -> int:
    return server.services.orchestrator.definition("sop_9_3").latest


def test_deploy_shows_the_changes_and_waits_for_confirmation(page: Any, server: Server) -> None:
    open_modeler(page)
    rename(page, "Task_2", "Admin mencatat aduan pelapor")
    set_duration(page, "Task_2", "2 hari")
    added = append_task(page, "Task_9")
    delete(page, "EndEvent_2")
    # a plain task runs nobody's step: refused, in Indonesian; made a user task, it deploys
    page.get_by_role("button", name="Periksa model").click()
    refusal = page.locator("#hasil")
    refusal.get_by_text("Model belum dapat diterapkan.").wait_for()
    assert f"{added}: tugas umum tidak diizinkan" in refusal.inner_text()
    select(page, added)
    page.locator(".djs-context-pad [data-action=replace]").click()
    page.keyboard.type("pengguna")
    page.locator(".djs-popup").get_by_text("Tugas pengguna", exact=True).click()

    page.get_by_role("button", name=DEPLOY).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Elemen diubah").wait_for()
    shown = dialog.inner_text()
    shot(page, "19-modeler-pratinjau-terapkan")
    assert "Dibandingkan dengan versi 1 yang berlaku; menerapkan akan membuat versi 2." in shown
    assert re.search(rf"Elemen ditambahkan \(2\)\s+Tugas pengguna \(tanpa nama\) \({added}\)",
                     shown)
    assert re.search(r"Elemen dihapus \(2\)\s+Peristiwa selesai “Selesai” \(EndEvent_2\)\s+"
                     r"Alur urutan \(tanpa nama\) \(Flow_12\)", shown)
    assert "Tugas pengguna “Admin mencatat aduan pelapor” (Task_2)" in shown
    assert "waktu (duration): “1 hari” → “2 hari”" in shown
    assert "nama: “admin menerima aduan pelapor" in shown
    assert "Ya, terapkan versi 2" in shown and "Batal" in shown

    dialog.get_by_role("button", name="Batal").click()
    page.locator("#hasil").get_by_text("Penerapan dibatalkan; belum ada yang berubah.").wait_for()
    assert versions(server) == 1

    page.get_by_role("button", name=DEPLOY).click()
    dialog.get_by_role("button", name="Ya, terapkan versi 2").click()
    page.locator("#hasil").get_by_text("Versi 2 diterapkan.").wait_for()
    assert versions(server) == 2
    assert added in server.services.orchestrator.definition("sop_9_3").bpmn[2]


def test_a_model_identical_to_the_latest_version_offers_nothing(page: Any, server: Server
                                                                ) -> None:
    open_modeler(page)
    set_duration(page, "Task_2", "2 hari")
    page.get_by_role("button", name=DEPLOY).click()
    page.get_by_role("dialog").get_by_role("button", name="Ya, terapkan versi 2").click()
    page.locator("#hasil").get_by_text("Versi 2 diterapkan.").wait_for()

    page.goto("/proses/sop_9_3/modeler")  # opens version 2, as the modeler saved it
    page.wait_for_selector("body[data-modeler-ready=true]")
    page.get_by_role("button", name=DEPLOY).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Tidak ada perubahan").wait_for()
    assert "sama persis dengan versi 2" in dialog.inner_text()
    assert not dialog.get_by_role("button", name=re.compile("^Ya")).is_visible()
    dialog.get_by_role("button", name="Tutup").click()
    page.locator("#hasil").get_by_text("Tidak ada perubahan: versi 2 tetap berlaku.").wait_for()
    assert versions(server) == 2


def test_an_invalid_model_shows_its_errors_instead_of_a_preview(page: Any, server: Server
                                                                ) -> None:
    open_modeler(page)
    rename(page, "Lane_admin", "Juru Masak")
    page.get_by_role("button", name=DEPLOY).click()
    result = page.locator("#hasil")
    result.get_by_text("Model belum dapat diterapkan.").wait_for()
    assert "Lajur 'Juru Masak' (Lane_admin) bukan peran dalam daftar peran." in \
        result.inner_text()
    assert not page.get_by_role("dialog").is_visible()
    assert versions(server) == 1


def test_the_preview_endpoint_needs_a_process_owner(page: Any, server: Server) -> None:
    login(page, "pelapor")
    page.goto("/proses/sop_9_3/modeler")
    assert page.locator("h1").inner_text() != "Modeler"
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(f"{server.url}/proses/sop_9_3/pratinjau",
                               data={"bpmn": "<x/>"}, headers={"X-CSRFToken": token or ""})
    assert answer.status == 403
    assert versions(server) == 1
