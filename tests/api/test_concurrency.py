"""Two users completing the same task at once: exactly one wins, the other gets 409."""

from __future__ import annotations

import threading
from typing import Any

from alur.bootstrap import DEMO_PASSWORD
from orchestrator.passwords import hash_password
from orchestrator.users import User
from tests.api.test_sop_9_3_http import inbox_task, start_complaint
from tests.conftest import Api
from tools.form_samples import sample


def _second_pelapor(api: Api) -> None:
    app = api.client.application.extensions["alur"].orchestrator
    app.register_user(User(username="pelapor2", full_name="Pelapor Dua", roles=["pelapor"],
                           password_hash=hash_password(DEMO_PASSWORD)))


def test_simultaneous_completions_one_wins(api: Api) -> None:
    _second_pelapor(api)
    case = start_complaint(api)
    task = inbox_task(api, "pelapor", case["id"], case["position"])
    users = ["pelapor", "pelapor2"]
    headers = {u: api.login(u) for u in users}
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def complete(user: str) -> None:
        client = api.client.application.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers[user],
                               json={"data": sample(task["form"], overrides={"catatan": user})})
        results[user] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=complete, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = sorted(code for code, _ in results.values())
    assert codes == [200, 409], results
    loser = next(body for code, body in results.values() if code == 409)
    assert loser["status"] == 409 and loser["detail"]
    events = api.get(f"/cases/{case['id']}/events", "inspektur").get_json()
    assert [e["type"] for e in events].count("TaskCompleted") == 1


def test_stale_if_match_is_refused_without_writing(api: Api) -> None:
    case = start_complaint(api)
    task = inbox_task(api, "pelapor", case["id"], case["position"])
    stale = f'"{case["case_version"] - 1}"'
    response = api.post(f"/tasks/{task['id']}/complete", "pelapor",
                        json={"data": sample(task["form"])}, headers={"If-Match": stale})
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "version" in response.get_json()["detail"]
    assert api.get(f"/cases/{case['id']}", "inspektur").get_json()["case_version"] == \
        case["case_version"]


def test_task_claimed_by_another_user_is_409(api: Api) -> None:
    _second_pelapor(api)
    case = start_complaint(api)
    task = inbox_task(api, "pelapor", case["id"], case["position"])
    claimed = api.post(f"/tasks/{task['id']}/claim", "pelapor")
    assert claimed.status_code == 200
    other = api.post(f"/tasks/{task['id']}/complete", "pelapor2",
                     json={"data": sample(task["form"])})
    assert other.status_code == 409
    assert other.get_json()["holder"] == "pelapor"
    after = claimed.get_json()["position"]
    assert api.get(f"/inbox?after={after}", "pelapor2").get_json() == []  # hidden from others
    assert len(api.get(f"/inbox?after={after}", "pelapor").get_json()) == 1
    released = api.post(f"/tasks/{task['id']}/release", "pelapor")
    assert released.status_code == 200
    after = released.get_json()["position"]
    assert len(api.get(f"/inbox?after={after}", "pelapor2").get_json()) == 1
