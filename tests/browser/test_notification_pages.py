"""The bell and the notification page in a real browser: the count, open one, mark all read."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server, login, shot
from tests.notify.helpers import start_complaint


def test_the_bell_counts_and_the_page_marks_read(page: Any, server: Server) -> None:
    start_complaint(server.services)  # waits on admin: a notification for admin
    server.services.projections.catch_up()
    login(page, "admin")
    bell = page.get_by_role("link", name="Notifikasi, ")
    assert "belum dibaca" in (bell.get_attribute("aria-label") or "")
    count = int(page.locator(".lonceng-jumlah").inner_text())
    assert count >= 1
    bell.click()
    page.wait_for_url("**/notifikasi")
    assert page.locator("li.belum-dibaca").count() == count
    shot(page, "notifikasi")
    page.get_by_role("button", name="Tandai semua dibaca").click()
    page.wait_for_url("**/notifikasi?setelah=*")
    assert page.locator(".lonceng-jumlah").count() == 0
    assert page.locator("li.belum-dibaca").count() == 0
    page.get_by_role("button", name="Buka").first.click()
    page.wait_for_url("**/tugas/*")
