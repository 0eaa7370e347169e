"""SOP 9.3 walked over HTTP only, each step by the demo user of its lane, on both stores."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.starts import complaint
from tests.steps import step_data

EXPECTED_LANES = {
    "Task_1": "pelapor", "Task_2": "admin", "Task_3": "sekretaris", "Task_4": "unit_pengaduan",
    "Task_5": "sekretaris", "Task_6": "rapat_pleno", "Task_7": "rapat_pleno",
    "Task_8": "unit_pengaduan", "Task_9": "admin",
}


def start_complaint(api: Api) -> dict[str, Any]:
    response = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint(subjek="Antrian layanan", lokasi="Bontang Utara")})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def inbox_task(api: Api, user: str, case_id: str, position: int) -> dict[str, Any]:
    response = api.get(f"/inbox?after={position}", user)
    assert response.status_code == 200
    mine = [t for t in response.get_json() if t["case_id"] == case_id]
    assert len(mine) == 1, f"{user} should see exactly one task of the case, saw {mine}"
    return mine[0]


def walk(api: Api, decision: str) -> tuple[str, list[str]]:
    case = start_complaint(api)
    case_id, position = case["id"], case["position"]
    done: list[str] = []
    while True:
        current = api.get(f"/cases/{case_id}", "inspektur").get_json()
        if current["status"] != "active":
            return current["status"], done
        (open_task,) = current["open_tasks"]
        lane = open_task["lane"]
        assert lane == EXPECTED_LANES[open_task["element_id"]]
        task = inbox_task(api, lane, case_id, position)
        assert task["form"]["type"] == "object"
        claimed = api.post(f"/tasks/{task['id']}/claim", lane)
        assert claimed.status_code == 200, claimed.get_json()
        data = step_data(task["form"], **({"keputusan_pleno": decision}
                                          if task["element_id"] == "Task_7"
                                          else {"catatan": f"selesai oleh {lane}"}))
        completed = api.complete(f"/tasks/{task['id']}", lane, data,
                                 headers={"If-Match": claimed.headers["ETag"]})
        assert completed.status_code == 200, completed.get_json()
        position = completed.get_json()["position"]
        done.append(task["element_id"])


def test_benar_branch_runs_to_follow_up_and_archive(api: Api) -> None:
    status, done = walk(api, "benar")
    assert status == "completed"
    assert done == [f"Task_{n}" for n in range(1, 10)]


def test_tidak_benar_branch_stops_the_complaint(api: Api) -> None:
    status, done = walk(api, "tidak_benar")
    assert status == "completed"
    assert done == [f"Task_{n}" for n in range(1, 8)]


def test_history_lists_every_step_in_order(api: Api) -> None:
    walk(api, "tidak_benar")
    cases = api.get("/inbox", "admin").get_json()
    assert cases == []  # nothing left for admin
    case = start_complaint(api)
    events = api.get(f"/cases/{case['id']}/events", "admin").get_json()
    assert [e["type"] for e in events] == ["CaseStarted", "DeadlineSet", "TaskActivated"]
    assert events[1]["data"]["service"] == "svc_pengaduan"
    assert events[0]["at"].endswith("+08:00")
    assert events[0]["actor"] == "admin"
    assert events[0]["data"] == complaint(subjek="Antrian layanan", lokasi="Bontang Utara")


@pytest.mark.parametrize("decision, last", [("benar", "Task_9"), ("tidak_benar", "Task_7")])
def test_event_history_of_a_walked_case(api: Api, decision: str, last: str) -> None:
    walk(api, decision)
    case_id = _last_case_id(api)
    events = api.get(f"/cases/{case_id}/events", "inspektur").get_json()
    types = [e["type"] for e in events]
    assert types[0] == "CaseStarted" and types[-1] == "CaseCompleted"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    completions = [e for e in events if e["type"] == "TaskCompleted"]
    assert [e["element_id"] for e in completions][-1] == last
    assert all(e["actor"] == EXPECTED_LANES[e["element_id"]] for e in completions)
    (gateway,) = [e for e in events if e["type"] == "GatewayTaken"]
    assert gateway["data"]["target_id"] == ("Task_8" if decision == "benar" else "EndEvent_1")


def _last_case_id(api: Api) -> str:
    services = api.client.application.extensions["alur"]
    services.projections.catch_up()
    rows = services.inbox.view.rows("SELECT case_id FROM inbox_cases ORDER BY started_at DESC")
    return rows[0]["case_id"]
