"""The working calendar in a real browser: the administrator opens "Kalender" from the menu,
is told in Indonesian that a Saturday is no working day, declares a cuti bersama with its
decree and sees it listed, with who declared it and in the history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.api.test_office_calendar import working_days_from
from tests.browser.conftest import Server, login, shot

TODAY = datetime.now(ZoneInfo("Asia/Makassar")).date()


def test_the_administrator_declares_a_cuti_bersama_on_the_page(page: Any,
                                                               server: Server) -> None:
    login(page, "administrator")
    page.get_by_role("link", name="Kalender", exact=True).click()
    page.wait_for_url("**/kalender")
    assert page.get_by_role("heading", name="Kalender kerja").is_visible()
    assert page.get_by_role("heading", name=f"Hari libur nasional {TODAY.year}").is_visible()
    saturday = next(TODAY + timedelta(days=n) for n in range(1, 8)
                    if (TODAY + timedelta(days=n)).weekday() == 5)
    form = page.get_by_role("region", name="Tetapkan cuti bersama")
    form.get_by_label("Tanggal").fill(saturday.isoformat())
    form.get_by_label("Alasan").fill("Uji hari Sabtu")
    form.get_by_role("button", name="Tetapkan").click()
    alert = page.get_by_role("alert")
    assert "hari Sabtu: sudah bukan hari kerja" in alert.inner_text()

    cuti = working_days_from(TODAY)[1]
    form.get_by_label("Tanggal").fill(cuti.isoformat())
    form.get_by_label("Alasan").fill("Cuti bersama Natal")
    form.get_by_label("Dasar hukum").fill("SKB 3 Menteri Nomor 1001 Tahun 2026")
    form.get_by_role("button", name="Tetapkan").click()
    page.wait_for_url("**/kalender")
    row = page.get_by_role("row").filter(has_text="Cuti bersama Natal")
    assert "SKB 3 Menteri Nomor 1001 Tahun 2026" in row.inner_text()
    assert "administrator" in row.inner_text()
    assert "Cuti bersama ditetapkan" in page.locator("ol.riwayat").inner_text()
    shot(page, "kalender")
    assert cuti.isoformat() in server.services.calendar.current_state().cuti_bersama
