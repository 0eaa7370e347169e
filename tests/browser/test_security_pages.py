"""In a real browser: logout ends the session for a copied cookie too, a hostile ``lanjut`` stays
on the site, and the error page's back link works under the CSP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from alur.bootstrap import DEMO_PASSWORD
from tests.browser.conftest import Server, login


def test_a_cookie_copied_before_logout_no_longer_logs_in(page: Any, server: Server) -> None:
    login(page, "sekretaris")
    copied = page.context.cookies()
    page.get_by_role("button", name="Keluar").click()
    page.get_by_text("Anda telah keluar.").wait_for()
    page.context.add_cookies(copied)  # the thief's copy, taken before the logout
    page.goto("/kotak-masuk")
    assert urlsplit(page.url).path == "/masuk"


def test_a_tab_in_lanjut_does_not_leave_the_site(page: Any, server: Server) -> None:
    page.goto("/masuk?lanjut=/%09/example.invalid/")
    page.get_by_label("Nama pengguna").fill("sekretaris")
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    assert page.url == f"{server.url}/kotak-masuk"


def test_the_error_page_back_link_goes_back(page: Any, server: Server) -> None:
    page.goto("/layanan")
    page.goto("/layanan/tidak-ada")
    page.get_by_text("Terjadi kendala").wait_for()
    page.get_by_role("link", name="Kembali ke halaman sebelumnya").click()
    page.wait_for_url("**/layanan")

