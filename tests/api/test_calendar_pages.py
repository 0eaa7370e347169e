"""The working-calendar page (/kalender), on both stores: the administrator declares a cuti
bersama and changes office hours from the page (bad input answered in Indonesian, nothing
written); everyone else sees the calendar and its history but no form, and is refused."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from tests.api.test_office_calendar import TODAY, working_days_from
from tests.api.test_page_login import csrf_token, log_in
from tests.conftest import Api


def test_the_administrator_declares_a_cuti_bersama_on_the_page(api: Api, app: Flask) -> None:
    admin = app.test_client()
    log_in(admin, "administrator")
    page = admin.get("/kalender").get_data(as_text=True)
    assert "Kalender kerja" in page and "Tetapkan cuti bersama" in page
    assert f"Hari libur nasional {TODAY.year}" in page and "Tahun Baru Masehi" in page
    assert "Belum ada perubahan" in page
    token = csrf_token(page)
    saturday = next(TODAY + timedelta(days=n) for n in range(1, 8)
                    if (TODAY + timedelta(days=n)).weekday() == 5)
    refused = admin.post("/kalender/cuti-bersama", data={
        "csrf_token": token, "tanggal": saturday.isoformat(), "alasan": "Uji"})
    assert refused.status_code == 422
    assert "hari Sabtu: sudah bukan hari kerja" in refused.get_data(as_text=True)
    no_reason = admin.post("/kalender/cuti-bersama", data={
        "csrf_token": token, "tanggal": working_days_from(TODAY)[0].isoformat(), "alasan": ""})
    assert no_reason.status_code == 422
    assert "tulis alasannya" in no_reason.get_data(as_text=True)
    bad_hours = admin.post("/kalender/jam-kerja", data={
        "csrf_token": token, "berlaku": (TODAY + timedelta(days=1)).isoformat(),
        "jam": "17:00-08:00", "jam_jumat": "08:00-16:30", "alasan": "Uji"})
    assert bad_hours.status_code == 422
    assert "jam pulang harus setelah jam masuk" in bad_hours.get_data(as_text=True)
    assert api.get("/calendar", "administrator").get_json()["history"] == []

    cuti = working_days_from(TODAY)[1]
    made = admin.post("/kalender/cuti-bersama", data={
        "csrf_token": token, "tanggal": cuti.isoformat(), "alasan": "Cuti bersama Natal",
        "dasar": "SKB 3 Menteri Nomor 1001 Tahun 2026"})
    assert made.status_code == 302, made.get_data(as_text=True)[:800]
    listed = admin.get("/kalender").get_data(as_text=True)
    assert "Cuti bersama Natal" in listed and "SKB 3 Menteri Nomor 1001 Tahun 2026" in listed
    assert "Cuti bersama ditetapkan" in listed  # in the history
    again = admin.post("/kalender/cuti-bersama", data={
        "csrf_token": token, "tanggal": cuti.isoformat(), "alasan": "Lagi"})
    assert again.status_code == 409
    assert "sudah ditetapkan sebagai cuti bersama" in again.get_data(as_text=True)

    hours = admin.post("/kalender/jam-kerja", data={
        "csrf_token": token, "berlaku": (TODAY + timedelta(days=7)).isoformat(),
        "jam": "07:30-15:00", "jam_jumat": "07:30-11:30", "alasan": "Jam kerja Ramadan"})
    assert hours.status_code == 302, hours.get_data(as_text=True)[:800]
    withdrawn = admin.post(f"/kalender/cuti-bersama/{cuti.isoformat()}/batal", data={
        "csrf_token": token, "alasan": "SKB direvisi"})
    assert withdrawn.status_code == 302
    events = [h["event"] for h in api.get("/calendar", "administrator").get_json()["history"]]
    assert events == ["Opened", "CutiBersamaDeclared", "OfficeHoursChanged",
                      "CutiBersamaWithdrawn"]


def test_others_see_the_calendar_and_may_not_change_it(api: Api, app: Flask) -> None:
    ketua = app.test_client()
    log_in(ketua, "ketua")
    page = ketua.get("/kalender")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kalender kerja" in html and "Tetapkan cuti bersama" not in html
    refused = ketua.post("/kalender/cuti-bersama", data={
        "csrf_token": csrf_token(html), "tanggal": working_days_from(TODAY)[1].isoformat(),
        "alasan": "Cuti bersama"})
    assert refused.status_code == 403
    assert api.get("/calendar", "ketua").get_json()["history"] == []
