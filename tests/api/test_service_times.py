"""Each service's case gets the deadline its standard (Keputusan 33/2025) sets."""

from __future__ import annotations

from datetime import datetime

import pytest

from orchestrator.worktime import Calendar, Duration
from tests.conftest import Api
from tests.starts import start_data


def _start(api: Api, process: str, user: str, data: dict) -> dict:
    """Start with ``data`` over what the start form needs otherwise (generated)."""
    model, _ = api.client.application.extensions["alur"].orchestrator.model(process)
    response = api.post("/cases", user, json={"process": process,
                                              "data": start_data(model, **data)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _due(case: dict, days: int = 0, minutes: int = 0) -> str:
    start = datetime.fromisoformat(case["deadline"]["started_at"])
    return Calendar().add(start, Duration(minutes=minutes, days=days)).isoformat()


@pytest.mark.parametrize("data, days, extension", [
    ({"jenis_informasi": "pemilu"}, 3, 2), ({"jenis_informasi": "lainnya"}, 10, 7),
])  # a start without jenis_informasi is refused (tests/api/test_decree_due_times.py)
def test_ppid_request_three_or_ten_days_extendable_once(api: Api, data: dict, days: int,
                                                        extension: int) -> None:
    case = _start(api, "sop_9_22", "petugas_pelayanan_informasi", data)
    deadline = case["deadline"]
    assert deadline["service"] == "svc_ppid" and deadline["working_days"] == days
    assert deadline["due_at"] == _due(case, days=days)
    path = f"/cases/{case['id']}/deadline/extend"
    short = api.post(path, "ppid", json={"reason": "kurang"})
    assert short.status_code == 422
    extended = api.post(path, "ppid", json={"reason": "Dokumen perlu dihimpun dari KPU RI"})
    assert extended.status_code == 200, extended.get_json()
    after = api.get(f"/cases/{case['id']}", "ppid").get_json()["deadline"]
    assert after["extensions"][0]["working_days"] == extension
    assert after["due_at"] == _due(case, days=days + extension)
    again = api.post(path, "ppid", json={"reason": "Sekali lagi, masih kurang"})
    assert again.status_code == 409


def test_complaint_has_fourteen_days_and_no_extension(api: Api) -> None:
    case = _start(api, "sop_9_3", "admin", {})
    assert case["deadline"]["working_days"] == 14
    response = api.post(f"/cases/{case['id']}/deadline/extend", "admin",
                        json={"reason": "Butuh klarifikasi tambahan"})
    assert response.status_code == 403


def test_paw_has_five_working_days(api: Api) -> None:
    roles = {r["key"] for r in api.get("/roles", "admin").get_json()}
    starter = next(r for r in ("ketua", "sekretaris") if r in roles)
    case = _start(api, "sop_9_6", starter, {})
    assert case["deadline"]["service"] == "svc_paw" and case["deadline"]["working_days"] == 5


def test_a_process_outside_the_standards_has_no_deadline(api: Api) -> None:
    case = _start(api, "sop_9_7", "staf_kul", {})
    assert case["deadline"] is None
