"""Inspectors: find a case, step through its events with the diagram following the path,
see the hash chain's status and download the export."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from orchestrator.commands import Actor, CompleteTask, StartCase
from tests.browser.conftest import Server, login, shot
from tests.starts import complaint
from tools.form_samples import sample


def finished_case(server: Server) -> Any:
    app = server.services.orchestrator
    result = app.start_case(StartCase("sop_9_3", complaint(subjek="Audit antrean"),
                                      Actor("admin", frozenset({"admin"}))))
    while (case := app.get_case(result.case_id)).status == "active":
        (task,) = case.open_tasks.values()
        data = sample(task.form, overrides={"keputusan_pleno": "tidak_benar"}
                      if task.element_id == "Task_7" else {})
        app.complete_task(CompleteTask(case.id, UUID(task.task_id),
                                       Actor(task.lane, frozenset({task.lane})), data))
    server.services.projections.catch_up()
    return case


def marked(page: Any, cls: str) -> int:
    page.wait_for_selector("#diagram[data-ready=true]")
    return int(page.locator(f".djs-element.{cls}").count())


def test_replay_a_case_step_by_step(page: Any, server: Server) -> None:
    case = finished_case(server)
    login(page, "inspektur")
    page.get_by_role("link", name="Cari kasus").click()
    page.get_by_label("Nomor registrasi").fill(case.registration)
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_role("link", name=f"Telusuri jejak audit {case.registration}").click()
    assert "Utuh." in page.get_by_role("region", name="Rantai hash").inner_text()
    assert page.locator("[aria-current=step]").inner_text().startswith("#1")
    seen_done = []
    for step in range(1, case.version + 1):
        assert f"Peristiwa {step} / {case.version}" in page.locator(".posisi").inner_text()
        seen_done.append(marked(page, "alur-selesai"))
        if step == 3:
            assert marked(page, "alur-kini") == 1
            shot(page, "13-audit-langkah-3")
        if step < case.version:
            page.get_by_role("link", name=re.compile("^Berikutnya")).click()
            page.wait_for_url(f"**pada={step + 1}")
    assert seen_done == sorted(seen_done) and seen_done[-1] > seen_done[0]
    assert marked(page, "alur-kini") == 0
    assert page.locator(".lencana-completed").first.inner_text() == "Selesai"
    shot(page, "14-audit-akhir")
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["verification"]["ok"] is True
    assert len(exported["events"]) == case.version
    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").click()
    assert pdf.value.path().read_bytes().startswith(b"%PDF")


def test_staff_cannot_open_the_audit_page(page: Any, server: Server) -> None:
    case = finished_case(server)
    login(page, "admin")
    response = page.goto(f"/audit/kasus/{case.id}")
    assert response.status == 403
    assert "tidak berwenang" in page.get_by_role("alert").inner_text()
