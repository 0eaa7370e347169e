"""No console error on load: the modeler (an existing process and a new one) and the pages
that draw a case's diagram with the bpmn-js viewer open without a single console error or
page error (the `page` fixture fails on page errors and CSP violations; this adds every
console message of type error, failed loads such as a missing favicon included)."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.commands import Actor, StartCase
from tests.browser.conftest import Server, login
from tests.starts import complaint


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(
        f"{message.text} ({message.location.get('url')})") if message.type == "error" else None)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def start_case(server: Server) -> Any:
    app = server.services.orchestrator
    result = app.start_case(StartCase("sop_9_3", complaint(subjek="Diagram tanpa galat"),
                                      Actor("admin", frozenset({"admin"}))))
    server.services.projections.catch_up()
    return result.case_id


def settle(page: Any, selector: str) -> None:
    page.wait_for_selector(selector)
    page.wait_for_load_state("networkidle")


def test_the_modeler_pages_load_without_console_errors(page: Any,
                                                       console_errors: list[str]) -> None:
    login(page, "pemilik_proses")
    page.goto("/proses/sop_9_3/modeler")
    settle(page, "body[data-modeler-ready=true]")
    page.locator(".djs-element[data-element-id=Task_2]").first.click()
    page.locator("[data-group-id=group-alur-form]").wait_for()
    page.goto("/proses-baru?kunci=surat_keluar&nama=Surat+Keluar&peran=admin")
    settle(page, "body[data-modeler-ready=true]")
    assert console_errors == []


def test_the_viewer_pages_load_without_console_errors(page: Any, server: Server,
                                                      console_errors: list[str]) -> None:
    case_id = start_case(server)
    login(page, "admin")
    page.goto(f"/kasus/{case_id}")
    settle(page, "#diagram[data-ready=true]")
    login(page, "inspektur")
    page.goto(f"/audit/kasus/{case_id}")
    settle(page, "#diagram[data-ready=true]")
    assert console_errors == []
