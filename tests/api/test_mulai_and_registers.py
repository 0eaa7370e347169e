"""The Mulai page per role, starting from it, and the registers on both stores: gap-free
numbers under concurrent starts, one sequence over PPID's three request flowcharts, the
register page from its projection, and its CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from alur.bootstrap import Services
from orchestrator.commands import Actor, StartCase
from tests.api.test_portal import _csrf, page_login
from tests.starts import start_data

YEAR = datetime.now(ZoneInfo("Asia/Makassar")).year


def _listed(client: FlaskClient) -> list[str]:
    html = client.get("/mulai").get_data(as_text=True)
    return re.findall(r'href="/mulai/([a-z0-9_]+)"', html)


def test_mulai_lists_what_each_role_may_start(app: Flask) -> None:
    expected = {
        "petugas_admin_surat": ["sop_9_14"],
        "admin": ["sop_9_3", "sop_9_5"],  # paper complaints and WBS letters
        "ppid": ["sop_9_22_b", "sop_9_22_c"],
        "petugas_pelayanan_informasi": ["sop_9_22", "sop_9_22_d", "svc_data_pemilih"],
        "sekretaris": ["sop_9_13", "sop_9_18", "sop_9_20", "sop_9_21", "svc_magang"],
        "pelapor": [],  # the public starts from the portal
        "inspektur": [],  # read-only
    }
    for user, keys in expected.items():
        client = app.test_client()
        page_login(client, user)
        assert sorted(_listed(client)) == keys, user
        if keys:
            assert client.get(f"/mulai/{keys[0]}").status_code == 200
        assert client.get("/mulai/sop_9_16").status_code == 403 or user == "pengamanan"


def _start_letter(client: FlaskClient, **fields: Any) -> Any:
    token = _csrf(client.get("/mulai/sop_9_14").get_data(as_text=True))
    form = {"nomor_surat": "005/PP.01/I/2025", "tanggal_surat": "2025-01-09",
            "asal_surat": "Pemerintah Kota Bontang", "perihal": "Undangan rapat",
            "sifat": "segera", "bentuk": "hardcopy", "tujuan_surat": "ketua",
            "csrf_token": token, **fields}
    return client.post("/mulai/sop_9_14", data=form, content_type="multipart/form-data")


def test_a_letter_started_from_mulai_lands_on_the_officers_next_step(
        app: Flask, services: Services) -> None:
    client = app.test_client()
    page_login(client, "petugas_admin_surat")
    before = services.orchestrator.recorder.max_notification_id()
    refused = _start_letter(client, nomor_surat="", sifat="")
    assert refused.status_code == 422
    assert "Wajib diisi." in refused.get_data(as_text=True)
    assert services.orchestrator.recorder.max_notification_id() == before
    started = _start_letter(client, lampiran=(io.BytesIO(b"%PDF-1.4 scan"), "scan.pdf"))
    assert started.status_code == 302
    assert re.search(r"/kasus/[0-9a-f-]+/tugas/[0-9a-f-]+$", started.headers["Location"])
    entries = services_entries(services, "surat-masuk")
    assert [e["number"] for e in entries] == [1]
    assert entries[0]["data"]["perihal"] == "Undangan rapat" and entries[0]["data"]["lampiran"] == 1


def services_entries(services: Services, register: str, month: int | None = None) -> Any:
    from projections.registers import RegisterQueries

    services.projections.catch_up()
    return RegisterQueries(services.projections.view("registers")).entries(register, YEAR, month)


def test_twenty_concurrent_starts_get_numbers_without_gaps(services: Services) -> None:
    app = services.orchestrator
    model, _ = app.model("sop_9_14")
    actor = Actor("petugas_admin_surat", frozenset({"petugas_admin_surat"}))
    barrier = threading.Barrier(20)
    numbers: list[str] = []

    def start(i: int) -> None:
        barrier.wait()
        result = app.start_case(StartCase("sop_9_14", start_data(model, perihal=f"Surat {i}"),
                                          actor))
        numbers.append(app.get_case(result.case_id).registration)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"9.14/{n:05d}/{YEAR}" for n in range(1, 21)]
    entries = services_entries(services, "surat-masuk")
    assert [e["number"] for e in entries] == list(range(1, 21))
    assert sorted(e["registration"] for e in entries) == sorted(numbers)


def test_one_register_numbers_ppids_three_request_flowcharts(services: Services) -> None:
    app = services.orchestrator
    for key, user in (("sop_9_22", "petugas_pelayanan_informasi"), ("sop_9_22_b", "ppid"),
                      ("sop_9_22_c", "ppid"), ("sop_9_22", "petugas_pelayanan_informasi")):
        model, _ = app.model(key)
        app.start_case(StartCase(key, start_data(model), Actor(user, frozenset({user}))))
    entries = services_entries(services, "permohonan-informasi")
    assert [(e["number"], e["process"]) for e in entries] == [
        (1, "sop_9_22"), (2, "sop_9_22_b"), (3, "sop_9_22_c"), (4, "sop_9_22")]
    assert [e["registration"] for e in entries] == [f"PPID/{n:05d}/{YEAR}" for n in range(1, 5)]


def test_the_register_page_filters_and_exports(app: Flask, services: Services) -> None:
    model, _ = services.orchestrator.model("sop_9_14")
    actor = Actor("petugas_admin_surat", frozenset({"petugas_admin_surat"}))
    for subject in ("Undangan rapat", "Laporan bulanan"):
        services.orchestrator.start_case(StartCase("sop_9_14", start_data(
            model, perihal=subject, sifat="sangat_segera"), actor))
    services.projections.catch_up()
    client = app.test_client()
    page_login(client, "petugas_admin_surat")
    month = datetime.now(ZoneInfo("Asia/Makassar")).month
    html = client.get(f"/register/surat-masuk?tahun={YEAR}&bulan={month}").get_data(as_text=True)
    assert "Undangan rapat" in html and "Sangat segera" in html
    other = 1 if month != 1 else 2
    assert "Undangan rapat" not in client.get(
        f"/register/surat-masuk?tahun={YEAR}&bulan={other}").get_data(as_text=True)
    exported = client.get(f"/register/surat-masuk/ekspor.csv?tahun={YEAR}")
    assert exported.headers["Content-Disposition"].endswith(f'register-surat-masuk-{YEAR}.csv"')
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["No.", "Nomor registrasi", "Tanggal"]
    assert [r[0] for r in rows[1:]] == ["1", "2"] and "Laporan bulanan" in rows[2]
    book = load_workbook(io.BytesIO(client.get(
        f"/register/surat-masuk/ekspor.xlsx?tahun={YEAR}").data))
    sheet = book.active
    assert sheet is not None and sheet.title == "Buku Agenda Surat Masuk"
    cells = list(sheet.iter_rows(values_only=True))
    assert [c[0] for c in cells[1:]] == [1, 2]
    assert cells[1][1] == f"9.14/00001/{YEAR}" and "Undangan rapat" in cells[1]


def test_a_register_is_shown_only_to_those_who_list_its_processes(app: Flask) -> None:
    client = app.test_client()
    page_login(client, "bendahara_pengeluaran")  # no lane of SOP 9.14, no overseer
    assert client.get("/register/surat-masuk").status_code == 404
    assert client.get("/register/surat-masuk/ekspor.xlsx").status_code == 404
    assert "Buku Agenda Surat Masuk" not in client.get("/register").get_data(as_text=True)
    assert client.get("/register/tidak-ada").status_code == 404
