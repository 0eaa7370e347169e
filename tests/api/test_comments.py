"""Comments on a case (why a draft went back …), on both stores: who, when, text, optionally
about one step; a comment is an event of the case and never moves the engine; on a sensitive
case only those who may act on it comment, and every read of its comments is logged."""

from __future__ import annotations

from uuid import uuid4

from tests.api.test_sensitive_cases import start as start_report
from tests.conftest import Api
from tests.starts import complaint


def start_complaint(api: Api) -> dict:
    created = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint(lokasi="Bontang")})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_comments_are_kept_with_who_when_and_step(api: Api) -> None:
    case = start_complaint(api)
    (task,) = case["open_tasks"]
    first = api.post(f"/cases/{case['id']}/comments", "pelapor", json={
        "text": "Lampiran foto menyusul", "task_id": task["id"]})
    assert first.status_code == 201, first.get_json()
    assert first.headers["ETag"] == f'"{first.get_json()["case_version"]}"'
    second = api.post(f"/cases/{case['id']}/comments", "admin", json={"text": "Diterima"})
    assert second.status_code == 201
    listed = api.get(f"/cases/{case['id']}/comments", "admin").get_json()
    assert [(c["actor"], c["text"], c["task_id"]) for c in listed] == [
        ("pelapor", "Lampiran foto menyusul", task["id"]), ("admin", "Diterima", None)]
    assert listed[0]["at"].endswith("+08:00") and listed[0]["seq"] < listed[1]["seq"]

    after = api.get(f"/cases/{case['id']}", "admin").get_json()
    assert after["open_tasks"] == case["open_tasks"]  # the engine did not move
    assert after["case_version"] == case["case_version"] + 2
    events = api.get(f"/cases/{case['id']}/events", "admin").get_json()
    assert [e["type"] for e in events][-2:] == ["CommentAdded", "CommentAdded"]
    assert events[-2]["task"] == task["id"] and events[-2]["actor"] == "pelapor"
    verified = api.get(f"/cases/{case['id']}/audit/verify", "inspektur").get_json()
    assert verified["ok"] and verified["events"] == after["case_version"]  # chained too
    replay = api.get(f"/cases/{case['id']}/replay?at={case['case_version'] + 1}",
                     "inspektur").get_json()
    assert replay["steps"] == [] and replay["case_version"] == case["case_version"] + 1


def test_bad_comments_are_refused_and_nothing_is_appended(api: Api) -> None:
    case = start_complaint(api)
    path = f"/cases/{case['id']}/comments"
    for body in ({"text": ""}, {}, {"text": "x" * 2001}, {"text": "x", "task_id": "abc"},
                 {"text": "x", "extra": 1}, {"text": "x", "task_id": str(uuid4())}):
        answer = api.post(path, "admin", json=body)
        assert answer.status_code == 422, (body, answer.get_json())
    assert api.post(f"/cases/{uuid4()}/comments", "admin", json={"text": "x"}
                    ).status_code == 404
    assert api.get(f"/cases/{uuid4()}/comments", "admin").status_code == 404
    assert api.post(path, "inspektur", json={"text": "x"}).status_code == 403
    assert api.post(path, "petugas_admin_surat", json={"text": "x"}).status_code == 404
    assert api.get(path, "petugas_admin_surat").status_code == 404  # not their process
    assert api.get(f"/cases/{case['id']}", "admin").get_json()["case_version"] == \
        case["case_version"]
    assert api.post(f"/cases/{case['id']}/cancel", "administrator",
                    json={"reason": "uji"}).status_code == 200
    assert api.post(path, "admin", json={"text": "terlambat"}).status_code == 409


def test_on_a_sensitive_case_only_who_may_act_comments_and_reads_are_logged(api: Api) -> None:
    case_id = start_report(api)["id"]
    path = f"/cases/{case_id}/comments"
    assert api.post(path, "unit_wbs", json={"text": "Bukti kurang, minta dilengkapi"}
                    ).status_code == 201
    for outsider in ("administrator", "pemilik_proses", "pelapor"):
        assert api.post(path, outsider, json={"text": "x"}).status_code == 404, outsider
        assert api.get(path, outsider).status_code == 404, outsider
    assert api.post(path, "inspektur", json={"text": "x"}).status_code == 403
    assert [c["text"] for c in api.get(path, "inspektur").get_json()] == [
        "Bukti kurang, minta dilengkapi"]
    log = api.get(f"/cases/{case_id}/access-log", "inspektur").get_json()
    assert ("inspektur", "comments") in [(e["actor"], e["what"]) for e in log]
