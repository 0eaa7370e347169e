"""The audit PDF read back with pypdf: Indonesian, readable times, labelled fields (no JSON),
and the process diagram as it stood with the passed and waiting steps marked."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from tests.api.test_audit_replay import walk_recording
from tests.conftest import Api
from tests.starts import complaint
from tests.steps import step_data

MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
WITA_TIME = re.compile(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}} \d{{2}}\.\d{{2}} WITA\b")
DONE_FILL = "0.8039 0.9216 0.8392 rg"  # api/pdf_diagram.py DONE_FILL (205, 235, 214)
WAIT_FILL = "1 0.8902 0.702 rg"  # WAIT_FILL (255, 227, 179)


def pdf_of(api: Api, case_id: str) -> PdfReader:
    response = api.get(f"/cases/{case_id}/export.pdf", "inspektur")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    return PdfReader(io.BytesIO(response.get_data()))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def drawing(page: Any) -> str:
    return page.get_contents().get_data().decode("latin-1")


def test_times_events_and_answers_read_as_indonesian(api: Api) -> None:
    case_id, _ = walk_recording(api, "tidak_benar")
    text = text_of(pdf_of(api, case_id))
    assert WITA_TIME.search(text), text[:500]
    assert not re.search(r"\d{2}:\d{2}:\d{2}|\.\d{6}|\+08:00", text)  # no ISO, no microseconds
    for english in ("TaskCompleted", "TaskActivated", "CaseStarted", "GatewayTaken",
                    "tidak_benar", "keputusan_pleno", "(WITA)"):
        assert english not in text, english
    assert not re.search(r"[{}]|\": ", text)  # no JSON anywhere
    for words in ("Kasus dimulai", "Langkah diselesaikan", "Keputusan diteruskan",
                  "Kasus selesai", "Waktu layanan: 14 hari kerja", "Peran: Rapat Pleno"):
        assert words in text, words
    decision = re.search(r"Keputusan Rapat Pleno[^\n:]*: *Tidak Benar \(T\)", text)
    assert decision, "the decision is shown under its form title with its answer's label"
    assert "Jalur: Tidak Benar (T)" in text


def test_the_diagram_shows_the_passed_and_the_waiting_steps(api: Api) -> None:
    created = api.post("/cases", "admin", json={"process": "sop_9_3",
                                                "data": complaint(subjek="A")})
    case = created.get_json()
    (task,) = case["open_tasks"]
    api.post(f"/tasks/{task['id']}/claim", "pelapor")
    assert api.complete(f"/tasks/{task['id']}", "pelapor",
                        step_data(task["form"])).status_code == 200
    reader = pdf_of(api, case["id"])
    pages = [p for p in reader.pages if "Diagram Proses" in p.extract_text()]
    assert len(pages) == 1
    (page,) = pages
    assert page.mediabox.width > page.mediabox.height  # landscape
    words = page.extract_text()
    for lane in ("Pelapor", "Admin", "Sekretaris", "Unit Pengaduan", "Rapat Pleno", "Mulai"):
        assert lane in words, lane
    assert re.search(r"Sudah dilalui: *Pelapor menyampaikan", words)
    assert re.search(r"Sedang menunggu: *admin menerima", words)
    ink = drawing(page)
    assert DONE_FILL in ink  # passed: the start event and row 1
    assert WAIT_FILL in ink and " re" in ink and " l " in ink  # shapes and flows as vectors


@pytest.mark.parametrize("decision", ["benar"])
def test_the_export_still_carries_headings_and_the_head_hash(api: Api, decision: str) -> None:
    case_id, seen = walk_recording(api, decision)
    text = text_of(pdf_of(api, case_id))
    for heading in ("LAPORAN JEJAK AUDIT KASUS", "Proses dan Registrasi",
                    "Verifikasi Rantai Hash", "Riwayat Peristiwa", "UTUH"):
        assert heading in text, heading
    assert seen[-1]["head_hash"] in text.replace("\n", "")
