"""Audit over HTTP: replay as of event N equals what the live API showed; verify; export."""

from __future__ import annotations

import itertools
import re
import zlib
from typing import Any

from tests.conftest import Api
from tests.starts import complaint
from tests.steps import step_data

REPLAY_ONLY = {"at", "events"}


def walk_recording(api: Api, decision: str = "benar") -> tuple[str, list[dict[str, Any]]]:
    """SOP 9.3 to its end over HTTP; GET /cases/{id} after every command, as it was shown."""
    created = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint(subjek="A")})
    case_id = created.get_json()["id"]
    seen = [api.get(f"/cases/{case_id}", "inspektur").get_json()]
    while seen[-1]["status"] == "active":
        (task,) = seen[-1]["open_tasks"]
        lane = task["lane"]
        claimed = api.post(f"/tasks/{task['id']}/claim", lane)
        assert claimed.status_code == 200, claimed.get_json()
        seen.append(api.get(f"/cases/{case_id}", "inspektur").get_json())
        answers = {"keputusan_pleno": decision} if task["element_id"] == "Task_7" else {}
        done = api.complete(f"/tasks/{task['id']}", lane, step_data(task["form"], **answers))
        assert done.status_code == 200, done.get_json()
        seen.append(api.get(f"/cases/{case_id}", "inspektur").get_json())
    return case_id, seen


def replay(api: Api, case_id: str, at: Any, user: str = "inspektur") -> Any:
    return api.get(f"/cases/{case_id}/replay?at={at}", user)


def test_replay_at_every_command_equals_the_live_case(api: Api) -> None:
    case_id, seen = walk_recording(api)
    total = seen[-1]["case_version"]
    assert seen[-1]["status"] == "completed" and len(seen) == 19  # start + 9 x (claim, complete)
    for live in seen:
        body = replay(api, case_id, live["case_version"]).get_json()
        assert {k: v for k, v in body.items() if k not in REPLAY_ONLY} == live
        assert body["at"] == live["case_version"] and body["events"] == total


def test_replay_works_at_every_event(api: Api) -> None:
    case_id, seen = walk_recording(api, "tidak_benar")
    total = seen[-1]["case_version"]
    paths = []
    for n in range(1, total + 1):
        response = replay(api, case_id, n)
        assert response.status_code == 200, (n, response.get_json())
        body = response.get_json()
        assert body["case_version"] == n
        paths.append(body["path"])
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(paths))
    after_claim = replay(api, case_id, seen[1]["case_version"]).get_json()
    assert after_claim["open_tasks"][0]["claimed_by"] == "pelapor"


def test_replay_at_the_last_event_equals_live(api: Api) -> None:
    case_id, seen = walk_recording(api, "tidak_benar")
    live = api.get(f"/cases/{case_id}", "admin").get_json()
    body = replay(api, case_id, live["case_version"], "admin").get_json()
    assert {k: v for k, v in body.items() if k not in REPLAY_ONLY} == live
    assert body["head_hash"] == seen[-1]["head_hash"]


def test_replay_out_of_range_is_refused(api: Api) -> None:
    case_id = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint()}).get_json()["id"]
    for at in (0, -1, 4, 99):
        response = replay(api, case_id, at)
        assert response.status_code == 400, at
        assert response.content_type == "application/problem+json"
        assert "1..3" in response.get_json()["detail"]
    assert replay(api, case_id, "drei").status_code == 422
    assert api.get(f"/cases/{case_id}/replay", "inspektur").status_code == 422


def test_verify_over_http(api: Api) -> None:
    case_id, seen = walk_recording(api, "tidak_benar")
    body = api.get(f"/cases/{case_id}/audit/verify", "inspektur").get_json()
    assert body == {"case_id": case_id, "ok": True, "events": seen[-1]["case_version"],
                    "head_hash": seen[-1]["head_hash"], "first_bad": None}
    unknown = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/cases/{unknown}/audit/verify", "inspektur").status_code == 404


def test_export_json_carries_every_event_and_the_verification(api: Api) -> None:
    case_id, seen = walk_recording(api, "tidak_benar")
    events = api.get(f"/cases/{case_id}/events", "inspektur").get_json()
    response = api.get(f"/cases/{case_id}/export.json", "inspektur")
    assert response.status_code == 200 and "attachment" in response.headers[
        "Content-Disposition"]
    doc = response.get_json()
    assert doc["events"] == events
    assert doc["verification"]["ok"] and doc["verification"]["head_hash"] == seen[-1]["head_hash"]
    case = doc["case"]
    assert case["process"]["key"] == "sop_9_3" and case["registration"]
    assert case["started_at"].endswith("+08:00") and doc["exported_by"] == "inspektur"
    assert "reporter" not in case  # not a sensitive process


def test_export_pdf_is_a_pdf_with_the_head_hash(api: Api) -> None:
    case_id, seen = walk_recording(api, "tidak_benar")
    response = api.get(f"/cases/{case_id}/export.pdf", "inspektur")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = pdf_text(pdf)
    assert seen[-1]["head_hash"].encode() in text
    for heading in (b"LAPORAN JEJAK AUDIT KASUS", b"Proses dan Registrasi",
                    b"Verifikasi Rantai Hash", b"Riwayat Peristiwa", b"UTUH"):
        assert heading in text, heading


def pdf_text(pdf: bytes) -> bytes:
    """The page content streams, inflated (enough to find strings fpdf2 wrote)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    out = []
    for stream in streams:
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            out.append(stream)
    return b"\n".join(out) + pdf
