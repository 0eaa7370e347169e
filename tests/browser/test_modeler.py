"""Process owners: change a step in the bpmn-js modeler's properties panel, validate, deploy a
new version; new cases run on it while a case started before keeps its version."""

from __future__ import annotations

import re
from typing import Any

from orchestrator.commands import Actor, StartCase
from tests.browser.conftest import Server, login, shot
from tests.starts import complaint


def start(server: Server, subject: str) -> Any:
    app = server.services.orchestrator
    result = app.start_case(StartCase("sop_9_3", complaint(subjek=subject),
                                      Actor("admin", frozenset({"admin"}))))
    server.services.projections.catch_up()
    return app.get_case(result.case_id)


def open_group(page: Any, label: str) -> None:
    header = page.locator(".bio-properties-panel-group-header", has_text=label)
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def edit_duration(page: Any, element_id: str, value: str) -> None:
    page.locator(f".djs-element[data-element-id={element_id}]").first.click()
    open_group(page, "Langkah SOP")
    field = page.get_by_label(re.compile(r"^Waktu \(duration\)"))
    assert field.input_value() == "1 hari"
    field.fill(value)
    field.press("Tab")
    page.wait_for_timeout(400)  # the panel debounces input


def test_modify_deploy_and_run_new_and_old_versions(page: Any, server: Server) -> None:
    old = start(server, "Kasus sebelum perubahan")
    login(page, "pemilik_proses")
    page.goto("/proses")
    shot(page, "09-proses")
    page.get_by_role("link", name="Ubah sop_9_3 di modeler").click()
    page.wait_for_selector("body[data-modeler-ready=true]")
    edit_duration(page, "Task_2", "2 hari")
    shot(page, "10-modeler")
    page.get_by_role("button", name="Periksa model").click()
    result = page.locator("#hasil")
    result.get_by_text("Model sah dan dapat diterapkan.").wait_for()
    assert "baris 2 (Task_2): duration '2 hari' berbeda dari katalog '1 hari'" in \
        result.inner_text()
    page.get_by_role("button", name="Terapkan sebagai versi baru").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya, terapkan versi 2").click()
    result.get_by_text("Versi 2 diterapkan.").wait_for()
    shot(page, "11-modeler-diterapkan")

    definition = server.services.orchestrator.definition("sop_9_3")
    v1, v2 = definition.bpmn[1], definition.bpmn[2]
    assert '<spiffworkflow:property name="duration" value="2 hari"' in v2
    assert v2.count("<spiffworkflow:property ") == v1.count("<spiffworkflow:property ")
    assert v2.count('name="form"') == v1.count('name="form"') == 9

    new = start(server, "Kasus sesudah perubahan")
    assert (old.process_version, new.process_version) == (1, 2)
    durations = {}
    for case in (old, new):
        login(page, "pelapor")
        page.get_by_role("row").filter(has_text=case.registration).get_by_role("link").click()
        page.get_by_role("button", name="Selesaikan langkah").click()
        page.wait_for_url(f"**/kasus/{case.id}")
        assert f"versi {case.process_version}" in page.locator("h1 + p").inner_text()
        login(page, "admin")
        page.get_by_role("row").filter(has_text=case.registration).get_by_role("link").click()
        durations[case.process_version] = page.locator(
            "dt:text-is('Waktu menurut SOP') + dd").inner_text()
    assert durations == {1: "1 hari", 2: "2 hari"}
    assert server.services.orchestrator.get_case(old.id).process_version == 1

    login(page, "pemilik_proses")
    page.goto("/proses/sop_9_3?dari=1&ke=2")
    changed = page.get_by_role("region", name="Elemen yang diubah").inner_text()
    assert "Task_2" in changed and "properties.duration" in changed and "2 hari" in changed
    shot(page, "12-perbedaan-versi")
