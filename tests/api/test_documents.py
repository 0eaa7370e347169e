"""Letters from templates over the API, on both stores: SOP 9.13's Kasubbag generates the
outgoing letter at the drafting step (numbered from the register of outgoing letters in the
office's format), downloads it as a real DOCX and PDF, the Ketua uploads the signed version
with the signing step, and the case shows which version was signed. Twenty letters generated
at once get twenty consecutive numbers."""

from __future__ import annotations

import hashlib
import io
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import docx
import pypdf

from alur.bootstrap import Services, bootstrap
from orchestrator.commands import GenerateDocument
from orchestrator.registration import ROMAN
from projections.registers import RegisterQueries
from tests.conftest import Api
from tests.steps import complete_step, step_data

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime.now(WITA)
SUFFIX = f"/PY.02.1-SD/6474/{ROMAN[NOW.month - 1]}/{NOW.year}"


def open_task(api: Api, case_id: str) -> dict[str, Any]:
    (task,) = api.get(f"/cases/{case_id}", "administrator").get_json()["open_tasks"]
    return task


def complete(api: Api, case_id: str, who: str, **data: Any) -> Any:
    task = open_task(api, case_id)
    done = api.complete(f"/cases/{case_id}/tasks/{task['id']}", who,
                        step_data(task["form"], **data))
    assert done.status_code == 200, done.get_json()
    return done


def at_drafting(api: Api) -> tuple[str, dict[str, Any]]:
    """An outgoing letter directed by the Ketua (row 1): the Kasubbag's drafting (row 2)."""
    created = api.start("sop_9_13", "ketua", perihal="Undangan rapat koordinasi",
                        tujuan_surat="Ketua Bawaslu Kota Bontang", sifat="segera")
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    complete(api, case_id, "ketua", perihal_surat="Undangan rapat koordinasi",
             tujuan_surat="Ketua Bawaslu Kota Bontang", penerima_disposisi="kasubbag",
             isi_disposisi="Mengundang Ketua Bawaslu pada rapat koordinasi pemutakhiran data.")
    return case_id, open_task(api, case_id)


def generate(api: Api, case_id: str, task_id: str, user: str = "kasubbag",
             **body: Any) -> Any:
    return api.post(f"/cases/{case_id}/documents", user,
                    json={"template": "surat-keluar", "task_id": task_id, **body})


def test_a_letter_is_generated_numbered_stored_and_downloaded(api: Api) -> None:
    case_id, task = at_drafting(api)
    made = generate(api, case_id, task["id"])
    assert made.status_code == 201, made.get_json()
    doc = made.get_json()
    assert doc["number"] == "1" + SUFFIX and doc["sequence"] == 1 and doc["version"] == 1
    assert doc["format"] == "docx" and doc["name"].endswith(".docx")
    assert doc["download_url"] == f"/api/v1/cases/{case_id}/documents/{doc['sha256']}"

    got = api.get(f"/cases/{case_id}/documents/{doc['sha256']}", "kasubbag")
    assert got.status_code == 200
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "wordprocessingml" in got.headers["Content-Type"]
    assert hashlib.sha256(got.data).hexdigest() == doc["sha256"]
    letter = docx.Document(io.BytesIO(got.data))
    text = "\n".join(p.text for p in letter.paragraphs)
    cells = {row.cells[0].text: row.cells[2].text for row in letter.tables[0].rows}
    assert "KOMISI PEMILIHAN UMUM" in text and "KOTA BONTANG" in text
    assert "Yth. Ketua Bawaslu Kota Bontang" in text
    assert "Mengundang Ketua Bawaslu pada rapat koordinasi" in text
    assert cells["Nomor"] == doc["number"] and cells["Hal"] == "Undangan rapat koordinasi"
    assert cells["Sifat"] == "Segera"  # the start form's label, not the stored value
    assert letter.core_properties.subject == doc["number"]

    events = api.get(f"/cases/{case_id}/events", "kasubbag").get_json()
    (generated,) = [e for e in events if e["type"] == "DocumentGenerated"]
    assert generated["data"]["sha256"] == doc["sha256"]
    assert generated["data"]["number"] == doc["number"] and generated["actor"] == "kasubbag"
    assert generated["task"] == task["id"]

    exported = api.get(f"/cases/{case_id}/export.pdf", "inspektur")
    assert exported.status_code == 200
    audit = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(exported.data)).pages)
    assert "Dokumen dibuat dari templat" in audit and doc["sha256"][:16] in audit.replace("\n", "")
    verified = api.get(f"/cases/{case_id}/audit/verify", "inspektur").get_json()
    assert verified["ok"] and "UTUH" in audit  # the letter's event is a link of the chain

    again = generate(api, case_id, task["id"], format="pdf")  # a new version, same number
    assert again.status_code == 201, again.get_json()
    pdf_doc = again.get_json()
    assert pdf_doc["number"] == doc["number"] and pdf_doc["version"] == 2
    pdf = api.get(pdf_doc["download_url"].removeprefix("/api/v1"), "kasubbag")
    assert pdf.headers["Content-Type"] == "application/pdf"
    page = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "KOMISI PEMILIHAN UMUM" in page and doc["number"] in page
    assert "Undangan rapat koordinasi" in page

    listed = api.get(f"/cases/{case_id}/documents", "kasubbag").get_json()
    assert [d["version"] for d in listed["documents"]] == [1, 2]
    assert [(t["key"], t["task_id"]) for t in listed["templates"]] == \
        [("surat-keluar", task["id"])]

    second, task2 = at_drafting(api)  # the next letter takes the next number
    assert generate(api, second, task2["id"]).get_json()["number"] == "2" + SUFFIX
    registrations = [api.get(f"/cases/{c}", "ketua").get_json()["registration"]
                     for c in (case_id, second)]
    assert registrations[0] != registrations[1]  # the cases' own register is untouched


def test_who_may_generate_what_and_where(api: Api) -> None:
    case_id, task = at_drafting(api)
    before = api.get(f"/cases/{case_id}", "ketua").get_json()["case_version"]
    assert generate(api, case_id, task["id"], user="staf").status_code == 403  # not the lane
    assert generate(api, case_id, task["id"], user="inspektur").status_code == 403
    wrong = generate(api, case_id, task["id"], template="surat-keputusan")
    assert wrong.status_code == 422 and "template" in wrong.get_json()["errors"]
    unknown = generate(api, case_id, task["id"], template="tidak-ada")
    assert unknown.status_code == 422
    bad = generate(api, case_id, task["id"], format="html")
    assert bad.status_code == 422
    missing = generate(api, case_id, "00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert api.get(f"/cases/{case_id}/documents/{'0' * 64}", "kasubbag").status_code == 404
    assert api.get(f"/cases/{case_id}", "ketua").get_json()["case_version"] == before


def test_the_signed_version_is_the_steps_output(api: Api) -> None:
    case_id, task = at_drafting(api)
    doc = generate(api, case_id, task["id"]).get_json()
    complete(api, case_id, "kasubbag")  # row 2: the draft
    complete(api, case_id, "anggota_kpu")  # row 3: paraf
    signing = open_task(api, case_id)
    data = step_data(signing["form"], penandatangan="ketua")
    data.pop("lampiran", None)
    path = f"/cases/{case_id}/tasks/{signing['id']}/complete-with-files"

    def upload(signed_of: str, files: int = 1) -> Any:
        body = {"data": json.dumps(data), "ttd_untuk": signed_of,
                "lampiran": [(io.BytesIO(f"%PDF ttd {i}".encode()), f"surat-ttd-{i}.pdf")
                             for i in range(files)]}
        return api.post(path, "ketua", data=body, content_type="multipart/form-data")

    assert upload("a" * 64).status_code == 422  # not a letter of this case
    assert upload(doc["sha256"], files=2).status_code == 422  # which one is signed?
    done = upload(doc["sha256"])
    assert done.status_code == 200, done.get_json()
    (listed,) = api.get(f"/cases/{case_id}/documents", "ketua").get_json()["documents"]
    (signed,) = listed["signed"]
    assert signed["name"] == "surat-ttd-0.pdf" and signed["actor"] == "ketua"
    assert signed["sha256"] == hashlib.sha256(b"%PDF ttd 0").hexdigest()
    got = api.get(signed["download_url"].removeprefix("/api/v1"), "ketua")
    assert got.status_code == 200 and got.data == b"%PDF ttd 0"
    step = api.get(f"/cases/{case_id}", "ketua").get_json()["steps"][-1]
    assert [f["sha256"] for f in step["data"]["lampiran"]] == [signed["sha256"]]


def _twenty_at_drafting(services: Services) -> list[tuple[UUID, UUID]]:
    from orchestrator.commands import StartCase
    from tests.starts import start_data

    app = services.orchestrator
    ketua = services.roles.actor("ketua", ["ketua"])
    model, _ = app.model("sop_9_13")
    cases = []
    for _ in range(20):
        started = app.start_case(StartCase("sop_9_13", start_data(model), ketua))
        complete_step(app, started.case_id, ketua, penerima_disposisi="kasubbag")
        (task,) = app.get_case(started.case_id).open_tasks.values()
        cases.append((started.case_id, UUID(task.task_id)))
    return cases


def test_twenty_simultaneous_letters_get_twenty_consecutive_numbers(
        services: Services) -> None:
    """Threads against the real store, through two application instances (two workers):
    each worker serializes its own letters, the store decides between them."""
    cases = _twenty_at_drafting(services)
    other = bootstrap(services.config)
    kasubbag = services.roles.actor("kasubbag", ["kasubbag"])
    try:
        workers = [services.orchestrator, other.orchestrator]

        def make(i: int) -> str:
            case_id, task_id = cases[i]
            made = workers[i % 2].generate_document(
                GenerateDocument(case_id, task_id, kasubbag, "surat-keluar"))
            return str(made.document["number"])

        with ThreadPoolExecutor(max_workers=20) as pool:
            numbers = list(pool.map(make, range(20)))
    finally:
        other.close()
    assert sorted(int(n.split("/")[0]) for n in numbers) == list(range(1, 21))
    assert all(n.endswith(SUFFIX) for n in numbers)
    stored = [services.orchestrator.get_case(c).generated() for c, _ in cases]
    assert sorted(d[0]["sequence"] for d in stored) == list(range(1, 21))
    # the registers projection: the cases keep their own entries, the letters their book
    services.projections.refresh()
    queries = RegisterQueries(services.projections.view("registers"))
    entries = queries.entries("surat-keluar", NOW.year)
    assert [e["number"] for e in entries] == list(range(1, 21))
    assert {e["case_id"] for e in entries} == {str(c) for c, _ in cases}
    book = queries.documents("naskah-surat-keluar", NOW.year, processes=("sop_9_13",))
    assert [d["sequence"] for d in book] == list(range(1, 21))
    assert sorted(d["number"] for d in book) == sorted(numbers)


def test_the_pages_make_list_and_take_back_the_signed_letter(api: Api) -> None:
    """"Buat dokumen" on the task page, the list on the case page, the signed version chosen
    in the signing step's form."""
    from flask.testing import FlaskClient

    from tests.api.test_portal import _csrf, page_login

    case_id, task = at_drafting(api)
    kasubbag: FlaskClient = api.client.application.test_client()
    page_login(kasubbag, "kasubbag")
    page = kasubbag.get(f"/kasus/{case_id}/tugas/{task['id']}").get_data(as_text=True)
    assert "Buat dokumen: Surat Keluar (DOCX)" in page
    made = kasubbag.post(f"/kasus/{case_id}/tugas/{task['id']}/dokumen", data={
        "templat": "surat-keluar", "format": "pdf", "csrf_token": _csrf(page)})
    assert made.status_code == 302, made.get_data(as_text=True)
    back = kasubbag.get(made.headers["Location"]).get_data(as_text=True)
    assert f"Surat Keluar nomor 1{SUFFIX} dibuat (versi 1)" in back
    (doc,) = api.get(f"/cases/{case_id}/documents", "kasubbag").get_json()["documents"]
    shown = kasubbag.get(f"/kasus/{case_id}").get_data(as_text=True)
    link = f"/kasus/{case_id}/dokumen/{doc['sha256']}"
    assert link in shown and "belum ada (draf)" in shown
    got = kasubbag.get(link)
    assert got.status_code == 200 and got.headers["X-Content-Type-Options"] == "nosniff"
    assert doc["number"] in pypdf.PdfReader(io.BytesIO(got.data)).pages[0].extract_text()
    assert kasubbag.get(f"/kasus/{case_id}/dokumen/{'0' * 64}").status_code == 404
    books = kasubbag.get("/register").get_data(as_text=True)
    assert "Nomor Naskah Dinas Surat Keluar" in books
    book = kasubbag.get("/register/naskah-surat-keluar").get_data(as_text=True)
    assert doc["number"] in book and link in book and "1 entri" in book
    exported = kasubbag.get("/register/naskah-surat-keluar/ekspor.csv").get_data(as_text=True)
    assert doc["number"] in exported and "Surat Keluar" in exported
    outsider = api.client.application.test_client()
    page_login(outsider, "staf_rendatin")  # no lane of SOP 9.13: the book is not revealed
    assert outsider.get("/register/naskah-surat-keluar").status_code == 404

    complete(api, case_id, "kasubbag")
    complete(api, case_id, "anggota_kpu")
    signing = open_task(api, case_id)
    ketua = api.client.application.test_client()
    page_login(ketua, "ketua")
    form = ketua.get(f"/kasus/{case_id}/tugas/{signing['id']}").get_data(as_text=True)
    assert 'name="ttd_untuk"' in form and "Buat dokumen: Surat Keluar" in form  # row 4 too
    done = ketua.post(f"/kasus/{case_id}/tugas/{signing['id']}/selesai", data={
        "csrf_token": _csrf(form), "penandatangan": "ketua", "tanggal_surat": "2026-03-03",
        "ttd_untuk": doc["sha256"], "lampiran": [(io.BytesIO(b"%PDF ttd"), "surat-ttd.pdf")]},
        content_type="multipart/form-data")
    assert done.status_code == 302, done.get_data(as_text=True)
    shown = ketua.get(f"/kasus/{case_id}").get_data(as_text=True)
    assert "Ditandatangani" in shown and "surat-ttd.pdf" in shown


def test_a_plh_generates_and_signs_a_letter_on_whose_behalf_it_records(api: Api) -> None:
    from tests.api.test_acting_officials import TODAY, user

    def plh(deputy: str, role: str) -> dict[str, Any]:
        user(api, deputy, ["staf_rendatin"])
        made = api.post("/acting", "administrator", json={
            "deputy": deputy, "role": role, "kind": "plh", "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(), "reason": "Dinas luar", "official": role})
        assert made.status_code == 201, made.get_json()
        return {k: made.get_json()[k] for k in ("appointment_id", "role", "official", "kind")}

    for_kasubbag, for_ketua = plh("andi", "kasubbag"), plh("budi", "ketua")
    case_id, task = at_drafting(api)
    generated = generate(api, case_id, task["id"], user="andi")
    assert generated.status_code == 201, generated.get_json()
    doc = generated.get_json()
    assert (doc["actor"], doc["acting_for"]) == ("andi", for_kasubbag)
    complete(api, case_id, "andi")  # row 2: the draft
    complete(api, case_id, "anggota_kpu")  # row 3: paraf
    signing = open_task(api, case_id)
    data = step_data(signing["form"], penandatangan="ketua")
    data.pop("lampiran", None)
    done = api.post(f"/cases/{case_id}/tasks/{signing['id']}/complete-with-files", "budi",
                    data={"data": json.dumps(data), "ttd_untuk": doc["sha256"],
                          "lampiran": [(io.BytesIO(b"%PDF ttd plh"), "surat-ttd.pdf")]},
                    content_type="multipart/form-data")
    assert done.status_code == 200, done.get_json()
    (listed,) = api.get(f"/cases/{case_id}/documents", "ketua").get_json()["documents"]
    assert listed["acting_for"] == for_kasubbag
    (signed,) = listed["signed"]
    assert (signed["actor"], signed["acting_for"]) == ("budi", for_ketua)
    events = api.get(f"/cases/{case_id}/events", "administrator").get_json()
    recorded = {e["type"]: e["acting_for"] for e in events
                if e["type"] in ("DocumentGenerated", "DocumentSigned")}
    assert recorded == {"DocumentGenerated": for_kasubbag, "DocumentSigned": for_ketua}


def test_a_letter_of_ones_own_lane_records_no_acting_for(api: Api) -> None:
    case_id, task = at_drafting(api)
    doc = generate(api, case_id, task["id"]).get_json()
    assert doc["actor"] == "kasubbag" and doc["acting_for"] is None
