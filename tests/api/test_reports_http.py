"""Case lists, SLA and dashboards over HTTP, scoped to what the caller may see."""

from __future__ import annotations

from tests.api.test_sop_9_3_http import start_complaint
from tests.conftest import Api


def test_case_list_filters_and_scope(api: Api) -> None:
    case = start_complaint(api)
    after = case["position"]
    listed = api.get(f"/cases?after={after}&process=sop_9_3", "sekretaris")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"
    (row,) = listed.get_json()
    assert row["registration"] == case["registration"] and row["status"] == "active"
    assert row["started_at"].endswith("+08:00") and row["service"] == "svc_pengaduan"
    assert api.get(f"/cases?registration={case['registration']}", "admin").get_json()[0]["id"] \
        == case["id"]
    assert api.get("/cases?role=pelapor", "admin").get_json()[0]["id"] == case["id"]
    assert api.get("/cases", "ppid").get_json() == []  # no lane of SOP 9.3: sees none of it
    bad = api.get("/cases?status=unknown", "admin")
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]


def test_inbox_filters_over_http(api: Api) -> None:
    case = start_complaint(api)
    after = case["position"]
    mine = api.get(f"/inbox?after={after}&view=mine", "pelapor")
    assert mine.status_code == 200 and mine.get_json() == []
    unclaimed = api.get(f"/inbox?after={after}&view=unclaimed&q=antrian", "pelapor")
    assert unclaimed.headers["X-Total-Count"] == "1"
    assert unclaimed.get_json()[0]["registration"] == case["registration"]
    assert api.get("/inbox?view=bogus", "pelapor").status_code == 422


def test_overdue_and_dashboard(api: Api) -> None:
    case = start_complaint(api)
    api.get(f"/cases?after={case['position']}", "admin")
    overdue = api.get("/sla/overdue", "sekretaris").get_json()
    assert overdue == {"tasks": [], "cases": [], "by_role": {}, "by_unit": {}}
    stats = api.get("/dashboard?process=sop_9_3", "sekretaris").get_json()
    assert stats[0]["process"] == "sop_9_3" and stats[0]["open"] == 1
    assert stats[0]["steps"][0]["element_id"] == "Task_1"
    assert api.get("/dashboard", "ppid").get_json() == []
