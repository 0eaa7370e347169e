"""Step forms of SOP 9.12-9.22 and the services without an SOP, over HTTP and pages, on both
stores: each takes what its decree row names, within the bounds the decree sets."""

from __future__ import annotations

import io
import json
import re
from typing import Any
from uuid import UUID

from flask import Flask

from alur.bootstrap import Services
from orchestrator.commands import Actor, CompleteTask
from orchestrator.references import references
from tests.api.test_portal import page_login
from tests.conftest import Api
from tests.processes import decree
from tools.form_samples import sample


def _start(api: Api, process: str, user: str, data: dict[str, Any]) -> dict[str, Any]:
    response = api.start(process, user, **data)  # the start form's sample, then ``data``
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _with_files(api: Api, case_id: str, task_id: str, user: str, data: dict[str, Any]) -> Any:
    """Complete with real uploads standing for the sample's documents."""
    rest = {k: v for k, v in data.items() if k != "lampiran"}
    files = [(io.BytesIO(b"%PDF-1.4 contoh\n"), "contoh.pdf")]
    return api.post(f"/cases/{case_id}/tasks/{task_id}/complete-with-files", user,
                    data={"data": json.dumps(rest), "lampiran": files},
                    content_type="multipart/form-data")


def _walk(services: Services, case_id: str, until_row: str,
          answers: dict[str, Any] | None = None) -> Any:
    """Complete the steps before the decree's ``until_row`` through the write side."""
    app = services.orchestrator
    while True:
        (task,) = app.get_case(UUID(case_id)).open_tasks.values()
        if task.properties["row"] == until_row:
            return task
        data = sample(task.form, overrides={k: v for k, v in (answers or {}).items()
                                            if k in task.form["properties"]})
        app.complete_task(CompleteTask(UUID(case_id), UUID(task.task_id),
                                       Actor(f"demo-{task.lane}", frozenset({task.lane})), data),
                          uploaded=frozenset(references(data)))


def test_a_sisdiklih_request_takes_the_decrees_twenty_to_thirty_participants(api: Api) -> None:
    found = re.search(r"minimal adalah (\d+) \(\w+ \w+\) orang dan maksimal adalah (\d+)",
                      decree.squash(decree.standards_text()))
    assert found, "Keputusan 33/2025 no longer bounds the participants"
    low, high = int(found.group(1)), int(found.group(2))
    case = _start(api, "svc_sisdiklih", "pemohon_sisdiklih", {})
    (task,) = case["open_tasks"]
    for count in (low - 1, high + 1):
        data = sample(task["form"], overrides={"jumlah_peserta": count})
        refused = _with_files(api, case["id"], task["id"], "pemohon_sisdiklih", data)
        assert refused.status_code == 422 and "jumlah_peserta" in refused.get_json()["errors"]
    data = sample(task["form"], overrides={"jumlah_peserta": high})
    done = _with_files(api, case["id"], task["id"], "pemohon_sisdiklih", data)
    assert done.status_code == 200, done.get_json()
    shown = api.get(f"/cases/{case['id']}", "ketua").get_json()
    assert shown["data"]["jumlah_peserta"] == high


def test_the_ppid_notice_is_refused_without_its_number_and_written_notice(
        api: Api, services: Services) -> None:
    assert decree.flowchart("9.22").row("4").requirements == "pemberitahuan tertulis"
    case = _start(api, "sop_9_22", "petugas_pelayanan_informasi", {"jenis_informasi": "pemilu"})
    task = _walk(services, case["id"], "4", {"hasil_pemeriksaan": "lengkap"})
    user = "petugas_pelayanan_informasi"
    refused = api.post(f"/cases/{case['id']}/tasks/{task.task_id}/complete", user,
                       json={"data": {"tanggal_disampaikan": "2025-01-13"}})
    assert refused.status_code == 422
    assert {"nomor_pemberitahuan", "isi_pemberitahuan", "lampiran"} <= set(
        refused.get_json()["errors"])
    data = sample(task.form, overrides={"nomor_pemberitahuan": "05/PPID/I/2025"})
    done = _with_files(api, case["id"], task.task_id, user, data)
    assert done.status_code == 200, done.get_json()
    shown = api.get(f"/cases/{case['id']}", "ppid").get_json()
    assert shown["status"] == "completed" and shown["data"]["nomor_pemberitahuan"] == \
        "05/PPID/I/2025"


def test_a_disposition_offers_the_officials_of_the_lane_it_sends_to(
        api: Api, services: Services, app: Flask) -> None:
    """SOP 9.17 row 2: the KPA's disposition goes to the Kasubag Perencanaan, Data dan
    Informasi (row 3's lane); the page offers the users holding that role, nobody else."""
    case = _start(api, "sop_9_17", "pemohon", {})
    task = _walk(services, case["id"], "2")
    assert task.form["properties"]["penerima_disposisi"]["x-alur-lanes"] == ["kasubbag_rendatin"]
    pages = app.test_client()
    page_login(pages, "kpa")
    html = pages.get(f"/kasus/{case['id']}/tugas/{task.task_id}").get_data(as_text=True)
    assert f"Demo {services.roles.name('kasubbag_rendatin')}" in html
    assert f"Demo {services.roles.name('staf_rendatin')}" not in html
