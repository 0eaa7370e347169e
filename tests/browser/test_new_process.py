"""Process owners create a new process through the pages only: "Proses baru" on /proses, a key
and a name, the modeler with a starter diagram, Periksa (errors in Indonesian), Terapkan; the
process is then listed on /proses and by the API."""

from __future__ import annotations

from typing import Any

from alur.bootstrap import DEMO_PASSWORD
from tests.browser.conftest import Server, login, shot

KEY = "surat_masuk"


def rename_lane(page: Any, name: str) -> None:
    """Select the lane on the canvas and type its name in the properties panel."""
    selected = page.locator(".bio-properties-panel-header", has_text="Lajur")
    if not selected.count():  # a click on the selected lane would deselect it
        box = page.locator(".djs-element[data-element-id=Lane_1] .djs-visual rect").first \
            .bounding_box()
        page.mouse.click(box["x"] + 15, box["y"] + box["height"] * 0.3)  # its label strip
        selected.wait_for()
    header = page.locator(".bio-properties-panel-group-header", has_text="Umum")
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    field = page.locator("#bio-properties-panel-name")
    field.fill(name)
    field.press("Tab")
    page.wait_for_timeout(400)  # the panel debounces input


def check(page: Any, expected: str) -> str:
    page.get_by_role("button", name="Periksa model").click()
    result = page.locator("#hasil")
    result.get_by_text(expected).wait_for()
    return result.inner_text()


def test_create_a_new_process_in_the_modeler_and_deploy_it(page: Any, server: Server) -> None:
    login(page, "pemilik_proses")
    page.goto("/proses")
    page.get_by_role("link", name="Proses baru").click()
    page.wait_for_url("**/proses-baru")

    page.get_by_label("Kunci proses").fill("Surat Masuk")
    page.get_by_role("button", name="Buka di modeler").click()
    alert = page.get_by_role("alert")
    assert "Kunci 'Surat Masuk' tidak sah" in alert.inner_text()
    assert "Nama proses: Wajib diisi." in alert.inner_text()
    assert "Pilih peran dari daftar." in alert.inner_text()
    page.get_by_label("Kunci proses").fill("sop_9_3")
    page.get_by_role("button", name="Buka di modeler").click()
    assert "sudah dipakai" in page.get_by_role("alert").inner_text()
    shot(page, "13-proses-baru-galat")

    page.get_by_label("Kunci proses").fill(KEY)
    page.get_by_label("Nama proses").fill("Pengelolaan Surat Masuk")
    page.get_by_label("Peran lajur pertama").select_option(label="Admin")
    page.get_by_role("button", name="Buka di modeler").click()
    page.wait_for_selector("body[data-modeler-ready=true]")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Proses baru: Pengelolaan Surat Masuk")
    assert page.locator(".djs-element[data-element-id=Task_1]").count() > 0

    rename_lane(page, "Juru Masak")
    errors = check(page, "Model belum dapat diterapkan.")
    assert "Lajur 'Juru Masak' (Lane_1) bukan peran dalam daftar peran." in errors
    rename_lane(page, "Admin")
    assert "tidak punya flowchart di katalog" in check(page, "Model sah dan dapat diterapkan.")
    shot(page, "14-proses-baru-modeler")

    page.get_by_role("button", name="Terapkan sebagai versi baru").click()
    dialog = page.get_by_role("dialog")
    assert "akan membuat versi 1" in dialog.inner_text()
    dialog.get_by_role("button", name="Ya, buat versi 1").click()
    result = page.locator("#hasil")
    result.get_by_text("Versi 1 diterapkan.").wait_for()
    result.get_by_role("link", name=f"Lihat versi proses {KEY}").click()
    page.wait_for_url(f"**/proses/{KEY}")
    assert page.get_by_role("heading", level=1).inner_text() == "Pengelolaan Surat Masuk"

    page.goto("/proses")
    row = page.get_by_role("row").filter(has_text=KEY)
    assert "Pengelolaan Surat Masuk" in row.inner_text()
    assert "oleh pemilik_proses" in row.inner_text()
    shot(page, "15-proses-baru-terdaftar")

    token = page.request.post(f"{server.url}/api/v1/auth/token", data={
        "username": "admin", "password": DEMO_PASSWORD}).json()["token"]
    listed = page.request.get(f"{server.url}/api/v1/processes",
                              headers={"Authorization": f"Bearer {token}"}).json()
    assert {p["key"]: p["version"] for p in listed}[KEY] == 1
    versions = page.request.get(f"{server.url}/api/v1/processes/{KEY}/versions",
                                headers={"Authorization": f"Bearer {token}"}).json()
    assert [(v["deployed_by"], v["source"]) for v in versions] == [
        ("pemilik_proses", "modeler")]
