"""Bad input gets a clear 4xx problem and appends nothing."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from tests.api.test_sop_9_3_http import inbox_task, start_complaint
from tests.conftest import Api
from tests.starts import complaint
from tools.form_samples import sample


@pytest.fixture
def head(api: Api) -> Iterator[callable]:
    recorder = api.client.application.extensions["alur"].orchestrator.recorder
    yield lambda: recorder.max_notification_id()


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail"]
    return body


def test_unknown_process(api: Api, head) -> None:
    before = head()
    body = _problem(api.post("/cases", "admin", json={"process": "sop_99", "data": {}}), 404)
    assert "sop_99" in body["detail"]
    assert head() == before


def test_wrong_role_cannot_complete(api: Api, head) -> None:
    case = start_complaint(api)
    task = inbox_task(api, "pelapor", case["id"], case["position"])
    before = head()
    body = _problem(api.post(f"/tasks/{task['id']}/complete", "sekretaris", json={"data": {}}),
                    403)
    assert "pelapor" in body["detail"]
    _problem(api.post(f"/tasks/{task['id']}/claim", "inspektur"), 403)
    assert head() == before


def test_malformed_json(api: Api, head) -> None:
    case = start_complaint(api)
    task = inbox_task(api, "pelapor", case["id"], case["position"])
    before = head()
    response = api.post(f"/tasks/{task['id']}/complete", "pelapor", data="{not json",
                        headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"
    assert head() == before


def test_data_failing_the_form_names_each_field(api: Api, head) -> None:
    case = start_complaint(api)
    position = case["position"]
    for user in ["pelapor", "admin", "sekretaris", "unit_pengaduan", "sekretaris", "rapat_pleno"]:
        task = inbox_task(api, user, case["id"], position)
        done = api.post(f"/tasks/{task['id']}/complete", user,
                        json={"data": sample(task["form"])})
        position = done.get_json()["position"]
    decision = inbox_task(api, "rapat_pleno", case["id"], position)
    assert decision["form"]["properties"]["keputusan_pleno"]["enum"] == ["benar", "tidak_benar"]
    assert decision["form"]["required"] == ["keputusan_pleno"]
    before = head()
    missing = _problem(api.post(f"/tasks/{decision['id']}/complete", "rapat_pleno",
                                json={"data": {}}), 422)
    assert "keputusan_pleno" in missing["errors"]
    wrong = _problem(api.post(f"/tasks/{decision['id']}/complete", "rapat_pleno",
                              json={"data": {"keputusan_pleno": "mungkin", "x": 1}}), 422)
    assert set(wrong["errors"]) == {"keputusan_pleno", "x"}
    assert head() == before


def test_unknown_task(api: Api, head) -> None:
    before = head()
    _problem(api.post(f"/tasks/{uuid4()}/complete", "admin", json={"data": {}}), 404)
    _problem(api.post("/tasks/not-a-uuid/claim", "admin"), 404)
    assert head() == before


def test_unknown_fields_and_wrong_types_in_the_request(api: Api, head) -> None:
    before = head()
    body = _problem(api.post("/cases", "admin", json={"process": 9, "extra": True}), 422)
    assert set(body["errors"]) == {"process", "extra"}
    assert head() == before


def test_out_of_range_paging_is_a_422_not_a_500(api: Api) -> None:
    for query in ("offset=99999999999999999999", "offset=-1", "limit=0", "limit=201"):
        body = _problem(api.get(f"/inbox?{query}", "admin"), 422)
        assert set(body["errors"]) == {query.split("=")[0]}, body


def test_unauthenticated_and_bad_login(api: Api) -> None:
    _problem(api.client.get("/api/v1/inbox"), 401)
    _problem(api.client.get("/api/v1/inbox", headers={"Authorization": "Bearer nope"}), 401)
    _problem(api.client.post("/api/v1/auth/token",
                             json={"username": "admin", "password": "wrong"}), 401)


def test_huge_payload_is_refused(api: Api, head) -> None:
    before = head()
    response = api.post("/cases", "admin",
                        json={"process": "sop_9_3",
                              "data": complaint(uraian="a" * (2 * 1024 * 1024))})
    _problem(response, 413)
    assert head() == before


def test_wrong_content_type_is_refused(api: Api, head) -> None:
    before = head()
    response = api.post("/cases", "admin", data="process=sop_9_3",
                        headers={"Content-Type": "text/plain"})
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"
    assert head() == before


def test_deeply_nested_or_odd_values_are_handled(api: Api, head) -> None:
    case = start_complaint(api)
    task = inbox_task(api, "pelapor", case["id"], case["position"])
    before = head()
    nested: dict = {}
    cursor = nested
    for _ in range(200):
        cursor["a"] = {}
        cursor = cursor["a"]
    for data in ({"catatan": nested}, {"catatan": None}, {"catatan": 1e308}, {"\u0000": 1}):
        response = api.post(f"/tasks/{task['id']}/complete", "pelapor",
                            json={"data": sample(task["form"], overrides=data)})
        assert response.status_code == 422, (data, response.get_json())
    assert head() == before


def test_typed_fields_refuse_what_their_kind_does_not_allow(api: Api, head) -> None:
    """SOP 9.8 row 1 over the JSON API: the same schema as the page (a Rupiah amount is an
    integer, a date is YYYY-MM-DD, the contract is a required document)."""
    created = api.start("sop_9_8", "pbj")
    assert created.status_code == 201, created.get_json()
    (task,) = created.get_json()["open_tasks"]
    good = sample(task["form"])
    files = {"lampiran": good.pop("lampiran")}  # documents go up with the completion
    before = head()
    for wrong, field in (({"nilai_kontrak": "Rp 1.250.000"}, "nilai_kontrak"),
                         ({"nilai_kontrak": -5}, "nilai_kontrak"),
                         ({"tanggal_kontrak": "3 Februari 2025"}, "tanggal_kontrak"),
                         ({"nomor_kontrak": ""}, "nomor_kontrak"),
                         ({"lampiran": []}, "lampiran")):
        body = _problem(api.post(f"/tasks/{task['id']}/complete", "pbj",
                                 json={"data": {**good, **wrong}}), 422)
        assert field in body["errors"], (wrong, body)
    body = _problem(api.post(f"/tasks/{task['id']}/complete", "pbj", json={"data": good}), 422)
    assert "lampiran" in body["errors"]
    assert head() == before
    done = api.complete(f"/tasks/{task['id']}", "pbj", {**good, **files})
    assert done.status_code == 200, done.get_json()
