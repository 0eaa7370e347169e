"""A process owner's hostile BPMN over HTTP: refused at deploy, or bounded at run time with a
422 that appends nothing (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from tests import bpmn_factory
from tests.api.test_sop_9_3_http import inbox_task
from tests.conftest import Api

P = "/processes/sop_9_3"
FORM = {"type": "object", "properties": {
    "teks": {"type": "string"}, "angka": {"type": "integer"},
    "daftar": {"type": "array", "items": {"type": "integer"}}}}


def deploy(api: Api, bpmn: bytes) -> Any:
    return api.post(f"{P}/versions", "pemilik_proses", data=bpmn,
                    headers={"Content-Type": "application/xml"})


def start(api: Api) -> tuple[str, dict[str, Any]]:
    response = api.post("/cases", "admin", json={"process": "sop_9_3", "data": {}})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    return case["id"], inbox_task(api, "admin", case["id"], case["position"])


def events(api: Api, case_id: str) -> int:
    return len(api.get(f"/cases/{case_id}/events", "inspektur").get_json())


def head(api: Api) -> int:
    return api.client.application.extensions["alur"].orchestrator.recorder.max_notification_id()


@pytest.mark.parametrize("condition, data", [
    ("teks * 1000 == ''", {"teks": "x" * 500_000}),  # a big string from a form, repeated
    ("angka * angka > 0", {"angka": 10**1000}),  # a huge integer
    (" and ".join(["daftar == daftar"] * 8), {"daftar": [0] * 150_000}),  # the work budget
], ids=["repeated-string", "huge-int", "work-budget"])
def test_a_condition_bounded_at_run_time_is_a_422_that_appends_nothing(
        api: Api, condition: str, data: dict[str, Any]) -> None:
    deployed = deploy(api, bpmn_factory.decision("sop_9_3", condition, FORM))
    assert deployed.status_code == 201, deployed.get_json()
    case_id, task = start(api)
    before, position = events(api, case_id), head(api)
    response = api.post(f"/tasks/{task['id']}/complete", "admin", json={"data": data})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["title"] == "InvalidTaskData"
    assert "failed" in response.get_json()["detail"]
    assert events(api, case_id) == before and head(api) == position
    assert api.get(f"/cases/{case_id}", "admin").get_json()["status"] == "active"


def test_the_engine_step_budget_is_a_422_that_appends_nothing(api: Api) -> None:
    assert deploy(api, bpmn_factory.decision("sop_9_3", "teks == 'ya'", FORM)).status_code == 201
    case_id, task = start(api)
    engine = api.client.application.extensions["alur"].orchestrator.engine
    engine.step_budget = 2  # the start needs two engine steps, this completion four
    before, position = events(api, case_id), head(api)
    response = api.post(f"/tasks/{task['id']}/complete", "admin", json={"data": {"teks": "ya"}})
    assert response.status_code == 422, response.get_json()
    assert "more than 2 engine steps" in response.get_json()["detail"]
    assert events(api, case_id) == before and head(api) == position
    engine.step_budget = 1
    refused = api.post("/cases", "admin", json={"process": "sop_9_3", "data": {}})
    assert refused.status_code == 422 and head(api) == position


TIMER = ('<bpmn:intermediateCatchEvent id="Tunggu"><bpmn:timerEventDefinition id="T">'
         '<bpmn:timeDuration>"P99999Y"</bpmn:timeDuration></bpmn:timerEventDefinition>'
         '</bpmn:intermediateCatchEvent>')


@pytest.mark.parametrize("bpmn, error", [
    (bpmn_factory.rework_loop("sop_9_3").replace(b'<bpmn:endEvent id="Selesai"/>',
                                                 TIMER.encode() + b'<bpmn:endEvent id="Selesai"/>'),
     "Tunggu: timer refused: duration P99999Y is longer than 5 years"),
    (bpmn_factory.rework_loop("sop_9_3").replace(b'targetRef="Periksa"/>',
                                                 b'targetRef="Keputusan"/>'),
     "Keputusan: a cycle without a user task"),
    (bpmn_factory.decision("sop_9_3", "ok == 1", {
        "type": "object", "properties": {"a": {"$ref": "http://127.0.0.1:9/skema.json"}}}),
     "Isi: property 'form' refers to 'http://127.0.0.1:9/skema.json'"),
    (bpmn_factory.decision("sop_9_3", "[0] * 300000000", FORM),
     "Flow_ya: condition '[0] * 300000000' refused: only numbers"),
], ids=["timer", "spinning-loop", "remote-form-ref", "repeated-list"])
def test_hostile_bpmn_is_refused_at_deploy(api: Api, bpmn: bytes, error: str) -> None:
    position = head(api)
    response = deploy(api, bpmn)
    assert response.status_code == 422, response.get_json()
    assert any(e.startswith(error) for e in response.get_json()["errors"]), response.get_json()
    assert head(api) == position
    assert [v["version"] for v in api.get(f"{P}/versions", "admin").get_json()] == [1]
