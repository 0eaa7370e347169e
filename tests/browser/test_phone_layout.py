"""The pages staff use most, on a 390×844 phone: nothing scrolls sideways, and the form's
fields and buttons lie within the screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Server, login, shot
from tests.browser.test_staff_pages import start_complaint, walk_to

WIDTH = PHONE["width"]
OUTSIDE = """(width) => Array.from(document.querySelectorAll('main *')).filter((el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && (box.right > width + 1 || box.left < -1)
    && !el.closest('.tabel-gulir, .djs-container');
}).map((el) => el.tagName + '.' + el.getAttribute('class') + ': '
  + (el.textContent || '').slice(0, 40))"""


def fits(page: Any, name: str) -> None:
    """No horizontal scrolling; nothing in main sticks out (except inside scroll regions)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    sticking_out = page.evaluate(OUTSIDE, WIDTH)
    assert width <= WIDTH, f"{name}: {width} px wide on a {WIDTH}-px phone: {sticking_out}"
    assert sticking_out == [], name
    shot(page, f"ponsel-{name}")


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size(PHONE)
    return page


def test_inbox_task_and_case_pages_fit_a_phone(phone: Any, server: Server) -> None:
    case = start_complaint(server, "Antrean layanan di loket terlalu lama dan petugas tidak "
                                   "ada di tempat pada jam kerja")
    walk_to(server, case.id, "Task_7")
    login(phone, "rapat_pleno")
    fits(phone, "kotak-masuk")
    phone.get_by_role("link", name="Rapat Pleno").first.click()
    phone.wait_for_url("**/tugas/*")
    fits(phone, "tugas")
    submit = phone.get_by_role("button", name="Selesaikan langkah")
    submit.scroll_into_view_if_needed()
    box = submit.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH and box["height"] >= 40
    radio = phone.get_by_role("radio", name="Tidak Benar (T)")
    assert radio.bounding_box()["x"] + radio.bounding_box()["width"] <= WIDTH
    submit.click()  # no answer chosen: the error summary must fit too
    phone.get_by_role("alert").wait_for()
    fits(phone, "tugas-galat")
    phone.goto(f"/kasus/{case.id}")
    phone.wait_for_selector("#diagram[data-ready=true]")
    fits(phone, "kasus")


def test_dashboard_and_overdue_pages_fit_a_phone(phone: Any, server: Server) -> None:
    start_complaint(server, "Aduan untuk dasbor")
    login(phone, "sekretaris")
    phone.goto("/dasbor")
    fits(phone, "dasbor")
    phone.locator("#grafik-proses summary").click()
    fits(phone, "dasbor-tabel")
    phone.goto("/terlambat")
    fits(phone, "terlambat")
    phone.set_viewport_size(DESKTOP)
    phone.goto("/dasbor")
    shot(phone, "12-dasbor")
