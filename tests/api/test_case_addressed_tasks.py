"""Task commands address the write side: with the projection runner down (a separate-runner
deployment whose runner is not running), claiming and completing over the case-addressed paths
and pages still works, while the read model has not moved at all. On both stores."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from alur.bootstrap import DEMO_PASSWORD, Services, bootstrap, deploy_all, seed_demo_users
from alur.config import Config
from api.app import create_app
from tests.conftest import Api
from tests.starts import complaint
from tests.steps import step_data


@pytest.fixture
def runner_down(config: Config) -> Iterator[Services]:
    """ALUR_PROJECTIONS_IN_PROCESS=0 and no ``alur projections run``: nobody projects."""
    svc = bootstrap(dataclasses.replace(config, projections_in_process=False))
    deploy_all(svc)
    seed_demo_users(svc)
    yield svc
    svc.close()


@pytest.fixture
def down_app(runner_down: Services) -> Flask:
    return create_app(runner_down, testing=True)


@pytest.fixture
def down_api(down_app: Flask) -> Api:
    return Api(down_app.test_client())


def _start(api: Api) -> dict[str, Any]:
    created = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint(subjek="Antrian layanan", lokasi="Bontang")})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def _inbox_position(services: Services) -> int:
    (row,) = [r for r in services.projections.status() if r["name"] == "inbox"]
    return int(row["position"])


def test_claim_and_complete_over_case_paths_with_the_runner_down(
        down_api: Api, runner_down: Services) -> None:
    case = _start(down_api)
    (task,) = case["open_tasks"]
    base = f"/cases/{case['id']}/tasks/{task['id']}"

    shown = down_api.get(base, "pelapor")
    assert shown.status_code == 200, shown.get_json()
    body = shown.get_json()
    assert (body["id"], body["case_id"], body["lane"], body["state"]) == (
        task["id"], case["id"], "pelapor", "ready")
    assert body["form"]["type"] == "object" and body["properties"]["row"]
    assert body["registration"] == case["registration"]
    assert body["subject"] == "Antrian layanan"

    claimed = down_api.post(f"{base}/claim", "pelapor")
    assert claimed.status_code == 200, claimed.get_json()
    assert down_api.get(base, "pelapor").get_json()["claimed_by"] == "pelapor"
    released = down_api.post(f"{base}/release", "pelapor")
    assert released.status_code == 200, released.get_json()
    down_api.post(f"{base}/claim", "pelapor")
    done = down_api.complete(base, "pelapor", step_data(task["form"], catatan="lengkap"))
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["case_id"] == case["id"]

    after = down_api.get(f"/cases/{case['id']}", "admin").get_json()
    assert [t["lane"] for t in after["open_tasks"]] == ["admin"]
    assert _inbox_position(runner_down) == 0  # the read side never moved: nothing waited on it
    # the completed task is still shown, from the case's own history
    closed = down_api.get(base, "pelapor").get_json()
    assert (closed["state"], closed["name"]) == ("completed", task["name"])


def test_case_paths_check_case_task_and_lane(down_api: Api) -> None:
    case = _start(down_api)
    (task,) = case["open_tasks"]
    base = f"/cases/{case['id']}/tasks/{task['id']}"
    assert down_api.get(f"/cases/{uuid4()}/tasks/{task['id']}", "pelapor").status_code == 404
    assert down_api.get(f"/cases/{case['id']}/tasks/{uuid4()}", "pelapor").status_code == 404
    assert down_api.post(f"/cases/{case['id']}/tasks/{uuid4()}/claim",
                         "pelapor").status_code == 404
    assert down_api.get(base, "sekretaris").status_code == 404  # not their lane: not revealed
    assert down_api.post(f"{base}/claim", "sekretaris").status_code == 403
    assert down_api.post(f"{base}/claim", "inspektur").status_code == 403
    invalid = down_api.post(f"{base}/complete", "pelapor", json={"data": {"x": 1}})
    assert invalid.status_code == 422
    assert down_api.complete(base, "pelapor", step_data(task["form"])).status_code == 200
    again = down_api.complete(base, "pelapor", step_data(task["form"]))
    assert again.status_code == 409  # it was a task of the case, and is done


def test_stale_case_version_is_a_conflict(down_api: Api) -> None:
    case = _start(down_api)
    (task,) = case["open_tasks"]
    base = f"/cases/{case['id']}/tasks/{task['id']}"
    stale = down_api.post(f"{base}/claim", "pelapor", json={"case_version": 1})
    assert stale.status_code == 409
    fresh = down_api.post(f"{base}/claim", "pelapor",
                          headers={"If-Match": f'"{case["case_version"]}"'})
    assert fresh.status_code == 200


def test_old_task_paths_still_work_as_lookups(api: Api) -> None:
    """With projections running, ``/tasks/{id}/…`` finds the case in the inbox (deprecated)."""
    case = _start(api)
    (task,) = case["open_tasks"]
    assert api.get(f"/tasks/{task['id']}", "pelapor").get_json()["case_id"] == case["id"]
    assert api.post(f"/tasks/{task['id']}/claim", "pelapor").status_code == 200
    done = api.complete(f"/tasks/{task['id']}", "pelapor", step_data(task["form"]))
    assert done.status_code == 200
    spec = api.client.get("/api/v1/openapi.json").get_json()["paths"]
    assert spec["/api/v1/tasks/{task_id}/complete"]["post"].get("deprecated") is True
    assert "/api/v1/cases/{case_id}/tasks/{task_id}/complete" in spec


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _page_login(client: FlaskClient, username: str) -> str:
    token = _csrf(client.get("/masuk").get_data(as_text=True))
    response = client.post("/masuk", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return token


def test_task_pages_are_case_addressed_and_work_with_the_runner_down(
        down_app: Flask, down_api: Api, runner_down: Services) -> None:
    case = _start(down_api)
    (task,) = case["open_tasks"]
    client = down_app.test_client()
    _page_login(client, "pelapor")
    page_url = f"/kasus/{case['id']}/tugas/{task['id']}"

    page = client.get(page_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'action="{page_url}/ambil"' in html and f'action="{page_url}/selesai"' in html
    token = _csrf(html)
    claimed = client.post(f"{page_url}/ambil", data={"csrf_token": token})
    assert claimed.status_code == 302 and claimed.headers["Location"].endswith(page_url)
    html = client.get(page_url).get_data(as_text=True)
    assert f'action="{page_url}/lepas"' in html
    done = client.post(f"{page_url}/selesai", data={"csrf_token": _csrf(html),
                                                   **step_data(task["form"])})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert done.headers["Location"].endswith(f"/kasus/{case['id']}")
    after = down_api.get(f"/cases/{case['id']}", "admin").get_json()
    assert [t["lane"] for t in after["open_tasks"]] == ["admin"]
    assert _inbox_position(runner_down) == 0


def test_old_task_page_redirects_and_the_inbox_links_the_new_one(app: Flask, api: Api) -> None:
    case = _start(api)
    (task,) = case["open_tasks"]
    client = app.test_client()
    _page_login(client, "pelapor")
    new = f"/kasus/{case['id']}/tugas/{task['id']}"
    old = client.get(f"/tugas/{task['id']}")
    assert old.status_code in (301, 302, 308) and old.headers["Location"].endswith(new)
    inbox = client.get(f"/kotak-masuk?setelah={case['position']}").get_data(as_text=True)
    assert f'href="{new}"' in inbox and f'action="{new}/ambil"' in inbox
    assert client.get(f"/tugas/{uuid4()}").status_code == 404
