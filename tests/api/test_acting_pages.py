"""The Plh/Plt page, on both stores: the Ketua names a Plh from the page (bad input answered
in Indonesian, nothing appended), the Plh completes the Ketua's step from the task page, and
the case page says on whose behalf; the Ketua ends the appointment from the page."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask

from tests.api.test_acting_officials import ketua_step, user
from tests.api.test_page_login import csrf_token, log_in
from tests.conftest import Api
from tests.steps import step_data

TODAY = datetime.now(ZoneInfo("Asia/Makassar")).date()


def test_a_plh_named_on_the_page_acts_and_the_case_says_an(api: Api, app: Flask) -> None:
    user(api, "andi", ["kasubbag"])
    case_id, task = ketua_step(api)
    ketua = app.test_client()
    log_in(ketua, "ketua")
    page = ketua.get("/plh").get_data(as_text=True)
    assert "Tunjuk Plh/Plt" in page and 'value="ketua"' in page
    form = {"csrf_token": csrf_token(page), "peran": "ketua", "petugas": "andi", "jenis": "plh",
            "mulai": TODAY.isoformat(), "sampai": (TODAY - timedelta(days=1)).isoformat(),
            "alasan": ""}
    refused = ketua.post("/plh", data=form)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Tulis alasannya" in html and "Tanggal selesai tidak boleh" in html
    assert api.get("/acting", "administrator").get_json() == []
    made = ketua.post("/plh", data={**form, "sampai": TODAY.isoformat(),
                                    "alasan": "Dinas luar ke Samarinda"})
    assert made.status_code == 302
    listed = ketua.get("/plh").get_data(as_text=True)
    assert "Dinas luar ke Samarinda" in listed and "Berlaku hari ini" in listed

    deputy = app.test_client()
    deputy.post("/masuk", data={"username": "andi", "password": "sandi-uji-panjang-1",
                                "csrf_token": csrf_token(deputy.get("/masuk").get_data(
                                    as_text=True))})
    step_page = f"/kasus/{case_id}/tugas/{task['id']}"
    shown = deputy.get(step_page)
    assert shown.status_code == 200
    data = {k: v for k, v in step_data(task["form"]).items() if k != "lampiran"}
    done = deputy.post(f"{step_page}/selesai", data={
        "csrf_token": csrf_token(shown.get_data(as_text=True)), **data,
        "lampiran": (io.BytesIO(b"%PDF-1.4 surat"), "surat.pdf")},
        content_type="multipart/form-data")
    assert done.status_code == 302, done.get_data(as_text=True)[:800]
    case_page = ketua.get(f"/kasus/{case_id}").get_data(as_text=True)
    assert "(Plh Ketua KPU, a.n. " in case_page

    (row,) = api.get("/acting", "administrator").get_json()
    end = ketua.post(f"/plh/andi/{row['appointment_id']}/akhiri",
                     data={"csrf_token": csrf_token(listed)})
    assert end.status_code == 302
    assert "Diakhiri" in ketua.get("/plh").get_data(as_text=True)
    assert deputy.get(step_page).status_code in (302, 403, 404)  # the step is done anyway
