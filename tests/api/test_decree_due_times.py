"""Due times, start data, conflicts and names as the decrees write them, over HTTP and pages,
on both stores. Every expectation is read from the decree's text (processes/decree/)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from alur.bootstrap import Services
from orchestrator.commands import Actor, CompleteTask
from orchestrator.references import references
from orchestrator.worktime import Calendar, Duration
from tests.api.test_portal import page_login, report
from tests.conftest import Api
from tests.processes import decree
from tests.starts import start_data
from tools.form_samples import sample


def _start(api: Api, process: str, data: dict[str, Any], user: str) -> dict[str, Any]:
    """Start with ``data`` over what the start form needs otherwise (generated)."""
    model, _ = api.client.application.extensions["alur"].orchestrator.model(process)
    response = api.post("/cases", user, json={"process": process,
                                              "data": start_data(model, **data)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _complete(services: Services, case_id: str, data: dict[str, Any] | None = None) -> int:
    """Complete the case's one open task as its lane; the position of the last event."""
    app = services.orchestrator
    (task,) = app.get_case(UUID(case_id)).open_tasks.values()
    actor = Actor(f"demo-{task.lane}", frozenset({task.lane}))
    answer = sample(task.form, overrides=data)
    # the sample's documents stand for files uploaded with the completion
    return app.complete_task(CompleteTask(UUID(case_id), UUID(task.task_id), actor, answer),
                             uploaded=frozenset(references(answer))).position


def _open_task(api: Api, user: str, case_id: str, position: int) -> dict[str, Any]:
    (task,) = [t for t in api.get(f"/inbox?after={position}", user).get_json()
               if t["case_id"] == case_id]
    return task


def _wita(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- 1 and 3: the PPID notice (9.22 row 4) -----------------------------------------------------

@pytest.mark.parametrize("kind", ["pemilu", "lainnya"])
def test_ppid_notice_is_due_by_the_kind_of_information_and_never_after_its_case(
        api: Api, services: Services, kind: str) -> None:
    text = decree.flowchart("9.22").row("4").time
    other, elections = (int(n) for n in re.findall(r"(\d+) hari", text))
    days = elections if kind == "pemilu" else other
    case = _start(api, "sop_9_22", {"jenis_informasi": kind, "subjek": "DPT"},
                  "petugas_pelayanan_informasi")
    for data in ({}, {}, {"hasil_pemeriksaan": "lengkap"}):  # rows 1-3: declared complete
        position = _complete(services, case["id"], data)
    notice = _open_task(api, "petugas_pelayanan_informasi", case["id"], position)
    deadline = api.get(f"/cases/{case['id']}", "ppid").get_json()["deadline"]["due_at"]
    # activated after the case started, the step's own N days would end after the case's
    assert notice["due_at"] == deadline
    extended = api.post(f"/cases/{case['id']}/deadline/extend", "ppid",
                        json={"reason": "Dokumen perlu dihimpun dari KPU RI"})
    assert extended.status_code == 200, extended.get_json()
    notice = _open_task(api, "petugas_pelayanan_informasi", case["id"],
                        extended.get_json()["position"])
    own = Calendar().add(_wita(notice["activated_at"]), Duration(days=days))
    assert _wita(notice["due_at"]) == own  # the rule for this kind, now inside the case's time
    later = api.get(f"/cases/{case['id']}", "ppid").get_json()["deadline"]["due_at"]
    assert _wita(notice["due_at"]) <= _wita(later)


def test_every_task_of_a_late_case_is_due_by_the_cases_deadline(api: Api,
                                                                services: Services) -> None:
    """9.22 row 3 ('paling lambat 3 hari') in an elections request (3 days for the case)."""
    assert decree.flowchart("9.22").row("3").time == "paling lambat 3 hari"
    case = _start(api, "sop_9_22", {"jenis_informasi": "pemilu"}, "petugas_pelayanan_informasi")
    _complete(services, case["id"])
    position = _complete(services, case["id"])
    check = _open_task(api, "ppid", case["id"], position)
    deadline = api.get(f"/cases/{case['id']}", "ppid").get_json()["deadline"]["due_at"]
    assert check["due_at"] == deadline
    assert _wita(check["due_at"]) <= Calendar().add(_wita(check["activated_at"]),
                                                    Duration(days=3))


def test_a_step_without_a_time_of_its_own_is_due_when_its_case_is(api: Api) -> None:
    """Dokumentasi hukum: 65 minutes for the case, no time on any step."""
    case = _start(api, "svc_dokumentasi_hukum", {"subjek": "Salinan SK"}, "operator_jdih")
    (task,) = case["open_tasks"]
    shown = _open_task(api, task["lane"], case["id"], case["position"])
    assert shown["due_at"] == case["deadline"]["due_at"] is not None


# -- 2: the kind of information is asked for ---------------------------------------------------

def test_a_ppid_start_without_the_kind_of_information_is_refused_and_named(
        api: Api, client: FlaskClient) -> None:
    standard = decree.squash(decree.standards_text())
    assert "Informasi tentang Pemilu dan Pemilihan akan diberikan dalam jangka waktu tiga" \
        in standard and "Informasi lain akan diberikan dalam jangka waktu sepuluh" in standard
    for process, data in (("sop_9_22", {}), ("sop_9_22", {"jenis_informasi": "rahasia"}),
                          ("sop_9_22_c", {"subjek": "tanpa jenis"})):
        user = "ppid" if process == "sop_9_22_c" else "petugas_pelayanan_informasi"
        response = api.post("/cases", user, json={"process": process, "data": data})
        assert response.status_code == 422, (process, response.get_json())
        assert "jenis_informasi" in response.get_json()["errors"]
    listed = api.get("/cases", "ppid", query_string={"process": "sop_9_22"})
    assert listed.get_json() == [], "nothing was started"
    portal = report(client, "informasi", {
        "pemohon_nama": "LSM Pantau", "pemohon_kontak": "pantau@example.id",
        "subjek": "Rekap DPT 2024", "uraian": "Mohon salinan rekapitulasi DPT."})
    assert portal.status_code == 422
    assert "jenis_informasi" in portal.get_json()["errors"]


# -- 5: minutes per record (9.19 row 3) --------------------------------------------------------

def test_processing_voter_records_is_due_by_the_number_of_records(
        api: Api, services: Services, app: Any) -> None:
    per_record = int(re.fullmatch(r"(\d+) menit per ?data",
                                  decree.flowchart("9.19").row("3").time).group(1))
    case = _start(api, "sop_9_19", {"perihal": "PDPB"}, "stakeholder")
    _complete(services, case["id"])
    (entry,) = services.orchestrator.get_case(UUID(case["id"])).open_tasks.values()
    refused = api.post(f"/tasks/{entry.task_id}/complete", "staf_rendatin", json={"data": {}})
    assert refused.status_code == 422 and "jumlah_data" in refused.get_json()["errors"]
    position = _complete(services, case["id"], {"jumlah_data": 40})
    processing = _open_task(api, "staf_rendatin", case["id"], position)
    assert _wita(processing["due_at"]) == Calendar().add(
        _wita(processing["activated_at"]), Duration(minutes=40 * per_record))
    pages = app.test_client()
    page_login(pages, "staf_rendatin")
    html = pages.get(f"/tugas/{processing['id']}", follow_redirects=True).get_data(as_text=True)
    assert f"{per_record} menit per data" in html


# -- 7: the Keterangan column on the task page (9.3 row 1) ------------------------------------

def test_the_task_page_shows_the_decrees_keterangan(api: Api, app: Any) -> None:
    remarks = decree.flowchart("9.3").row("1").remarks
    assert remarks.startswith("Laporan dapat disampaikan melalui")
    case = _start(api, "sop_9_3", {"subjek": "Antrian"}, "admin")
    (task,) = case["open_tasks"]
    pages = app.test_client()
    page_login(pages, "pelapor")
    html = pages.get(f"/tugas/{task['id']}", follow_redirects=True).get_data(as_text=True)
    assert "Keterangan" in html and decree.squash(remarks) in decree.squash(html)


# -- 6 and 8: conflicts and names for the process owner ---------------------------------------

def test_process_owner_sees_the_decrees_conflicts_quoted(api: Api, app: Any) -> None:
    row = decree.flowchart("9.4").row("2")
    detail = api.get("/processes/sop_9_4", "pemilik_proses").get_json()
    (conflict,) = detail["conflicts"]
    assert conflict["rows"] == ["2"]
    assert {q["text"] for q in conflict["quotes"]} >= {row.activity, row.time}
    assert api.get("/processes/sop_9_3", "pemilik_proses").get_json()["conflicts"] == []
    pages = app.test_client()
    page_login(pages, "pemilik_proses")
    html = decree.squash(pages.get("/proses/sop_9_22").get_data(as_text=True))
    assert "Pertentangan dalam keputusan" in html
    assert decree.squash(decree.flowchart("9.22").row("4").time) in html


def test_the_flowcharts_of_one_sop_are_listed_under_their_own_names(api: Api, app: Any) -> None:
    listed = {p["key"]: p["name"] for p in api.get("/processes", "pemilik_proses").get_json()}
    for sop, keys in (("9.22", ["sop_9_22", "sop_9_22_b", "sop_9_22_c", "sop_9_22_d"]),
                      ("9.1", ["sop_9_1", "sop_9_1_b"]), ("9.2", ["sop_9_2", "sop_9_2_b"])):
        headings = [c.heading.lower() for c in decree.flowcharts(sop)]
        for key, heading in zip(keys, headings, strict=True):
            assert listed[key].lower() in heading, (key, listed[key])
        assert len({listed[k] for k in keys}) == len(keys)
    pages = app.test_client()
    page_login(pages, "pemilik_proses")
    html = pages.get("/proses").get_data(as_text=True)
    assert listed["sop_9_22_c"] in html and listed["sop_9_22_d"] in html
