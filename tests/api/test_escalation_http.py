"""Escalation through HTTP: a PPID request's late first step reaches the Kasubbag's
"Eskalasi" inbox, the late case the Sekretaris's; the events carry what a notification needs."""

from __future__ import annotations

from datetime import datetime, timedelta

from alur.scheduler import Scheduler
from tests.api.test_case_addressed_tasks import _page_login
from tests.conftest import Api


def test_late_step_and_late_case_reach_their_supervisors_inboxes(api: Api) -> None:
    services = api.client.application.extensions["alur"]
    started = api.start("sop_9_22", "petugas_pelayanan_informasi", jenis_informasi="lainnya")
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    (task,) = case["open_tasks"]
    assert case["timers"] == []
    inbox = api.get("/inbox?view=escalated", "kasubbag_parmas_sdm")
    assert inbox.status_code == 200 and inbox.get_json() == []
    deadline = datetime.fromisoformat(case["deadline"]["due_at"])
    report = Scheduler(services, schedules=[]).tick(deadline + timedelta(minutes=1))
    assert (report.escalated, report.reminded) == (2, 0)  # the step and the case
    after = max(report.positions)

    rows = api.get(f"/inbox?view=escalated&after={after}", "kasubbag_parmas_sdm").get_json()
    assert [r["id"] for r in rows] == [task["id"]]
    assert rows[0]["case_id"] == case["id"]
    assert api.get("/inbox?view=escalated", "admin").get_json() == []
    narrowed = api.get(f"/inbox?view=escalated&q={case['registration'][:6]}&process=sop_9_22"
                       "&limit=1&offset=0", "kasubbag_parmas_sdm")
    assert narrowed.status_code == 200 and len(narrowed.get_json()) == 1
    assert narrowed.headers["X-Total-Count"] == "1"
    assert api.get("/inbox?view=escalated&offset=5", "kasubbag_parmas_sdm").get_json() == []
    # the case passed its service time too: the Sekretaris oversees the services
    rows = api.get("/inbox?view=escalated", "sekretaris").get_json()
    assert [r["id"] for r in rows] == [task["id"]]

    events = api.get(f"/cases/{case['id']}/events", "petugas_pelayanan_informasi").get_json()
    escalated = next(e for e in events if e["type"] == "TaskEscalated")
    assert escalated["task"] == task["id"]
    assert {k: escalated["data"][k] for k in ("to_role", "lane", "unit")} == {
        "to_role": "kasubbag_parmas_sdm", "lane": "petugas_pelayanan_informasi",
        "unit": "Subbagian Partisipasi, Hubungan Masyarakat dan SDM"}
    assert escalated["data"]["due_at"].endswith("+08:00") and "name" in escalated["data"]
    late_case = next(e for e in events if e["type"] == "DeadlineEscalated")
    assert late_case["data"]["to_role"] == "sekretaris"
    opened = api.get(f"/cases/{case['id']}", "petugas_pelayanan_informasi").get_json()
    assert opened["open_tasks"][0]["escalated_to"] == "kasubbag_parmas_sdm"
    assert opened["deadline"]["escalated_to"] == "sekretaris"


def test_the_eskalasi_view_is_on_the_inbox_page(api: Api) -> None:
    _page_login(api.client, "sekretaris")
    page = api.client.get("/kotak-masuk?tampilan=escalated")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'tampilan=escalated" aria-current="page">Eskalasi</a>' in html
