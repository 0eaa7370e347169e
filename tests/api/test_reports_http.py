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


def test_a_supervisor_opens_every_case_they_list(api: Api) -> None:
    """Issue 15 item 6: the Ketua's search listed cases of processes without a Ketua lane,
    which then answered 404. Every listed case opens; a WBS report is neither listed nor
    opened by the Ketua, and is listed and opened by its own lanes."""
    from tests.starts import wbs_start
    started = [api.start(key, starter).get_json() for key, starter in (
        ("sop_9_8", "pbj"), ("sop_9_14", "petugas_admin_surat"), ("sop_9_21", "sekretaris"))]
    assert all("id" in case for case in started), started
    complaint = start_complaint(api)
    report = api.post("/cases", "admin", json={"process": "sop_9_5", "data": wbs_start()})
    assert report.status_code == 201, report.get_json()
    after = report.get_json()["position"]
    listed = api.get(f"/cases?after={after}&limit=100", "ketua").get_json()
    ids = {row["id"] for row in listed}
    assert {case["id"] for case in [*started, complaint]} <= ids
    assert report.get_json()["id"] not in ids
    for row in listed:
        assert api.get(f"/cases/{row['id']}", "ketua").status_code == 200, row["process"]
    assert api.get(f"/cases/{report.get_json()['id']}", "ketua").status_code == 404
    for row in api.get("/cases?limit=100", "unit_pengaduan").get_json():
        assert api.get(f"/cases/{row['id']}", "unit_pengaduan").status_code == 200
