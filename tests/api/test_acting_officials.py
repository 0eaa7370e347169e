"""Acting officials (Plh/Plt), on both stores: the Ketua names a Plh for a date range; during
it the deputy sees and acts in the Ketua's lane and every act records "a.n." whom; outside it
(before, after its last day, or ended early) the deputy is back to their own roles; bad
appointments are refused with nothing appended."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from alur.bootstrap import Services
from tests.conftest import Api
from tests.steps import step_data

PASSWORD = "sandi-uji-panjang-1"
TODAY = datetime.now(ZoneInfo("Asia/Makassar")).date()


def user(api: Api, name: str, roles: list[str]) -> None:
    created = api.post("/users", "administrator", json={
        "username": name, "full_name": f"Uji {name}", "roles": roles, "password": PASSWORD})
    assert created.status_code == 201, created.get_json()
    api.login(name, PASSWORD)


def appoint(api: Api, by: str, deputy: str, starts: date = TODAY, ends: date = TODAY,
            **extra: str) -> object:
    return api.post("/acting", by, json={
        "deputy": deputy, "role": "ketua", "kind": "plh", "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(), "reason": "Cuti tahunan Ketua", **extra})


def ketua_step(api: Api) -> tuple[str, dict]:
    """A SOP 9.6 case waiting at row 1, in the Ketua's own lane."""
    created = api.start("sop_9_6", "ketua")
    assert created.status_code == 201, created.get_json()
    (task,) = created.get_json()["open_tasks"]
    assert task["lane"] == "ketua"
    api.position = created.get_json()["position"]  # type: ignore[attr-defined]
    return created.get_json()["id"], task


def test_a_plh_acts_in_the_lane_and_every_act_records_on_whose_behalf(api: Api) -> None:
    user(api, "andi", ["kasubbag"])
    case_id, task = ketua_step(api)
    base = f"/cases/{case_id}/tasks/{task['id']}"
    assert api.post(f"{base}/claim", "andi").status_code == 403  # not yet

    made = appoint(api, "ketua", "andi", TODAY, TODAY + timedelta(days=2))
    assert made.status_code == 201, made.get_json()  # type: ignore[attr-defined]
    body = made.get_json()  # type: ignore[attr-defined]
    assert (body["official"], body["by"], body["holds_today"]) == ("ketua", "ketua", True)

    inbox = api.get(f"/inbox?after={api.position}", "andi").get_json()  # type: ignore[attr-defined]
    assert task["id"] in [row["id"] for row in inbox]  # the deputy sees the Ketua's lane
    assert api.post(f"{base}/claim", "andi").status_code == 200
    done = api.complete(base, "andi", step_data(task["form"]))
    assert done.status_code == 200, done.get_json()

    events = api.get(f"/cases/{case_id}/events", "administrator").get_json()
    acts = [e for e in events if e["type"] in ("TaskClaimed", "TaskCompleted")]
    assert [e["actor"] for e in acts] == ["andi", "andi"]
    for act in acts:
        assert act["acting_for"] == {
            "appointment_id": body["appointment_id"], "role": "ketua", "official": "ketua",
            "kind": "plh"}, act
    step = api.get(f"/cases/{case_id}", "administrator").get_json()["steps"][0]
    assert step["actor"] == "andi" and step["acting_for"]["official"] == "ketua"
    listed = api.get("/acting", "andi").get_json()
    assert [r["appointment_id"] for r in listed] == [body["appointment_id"]]


def test_the_range_ends_the_appointment_by_itself(api: Api, services: Services) -> None:
    user(api, "andi", ["kasubbag"])
    made = appoint(api, "administrator", "andi", TODAY, TODAY + timedelta(days=1),
                   official="ketua")
    assert made.status_code == 201, made.get_json()  # type: ignore[attr-defined]
    app = services.orchestrator
    roles = app.find_user("andi").roles  # type: ignore[union-attr]
    assert "ketua" in app.actor_of("andi", roles).roles
    assert "ketua" in app.actor_of("andi", roles, TODAY + timedelta(days=1)).roles
    assert "ketua" not in app.actor_of("andi", roles, TODAY + timedelta(days=2)).roles
    assert "ketua" not in app.actor_of("andi", roles, TODAY - timedelta(days=1)).roles

    later = appoint(api, "ketua", "budi_belum_ada", TODAY + timedelta(days=5))
    assert later.status_code == 422  # type: ignore[attr-defined]
    user(api, "budi", ["kasubbag"])
    future = appoint(api, "ketua", "budi", TODAY + timedelta(days=5), TODAY + timedelta(days=6))
    assert future.status_code == 201  # type: ignore[attr-defined]
    case_id, task = ketua_step(api)
    assert api.post(f"/cases/{case_id}/tasks/{task['id']}/claim", "budi").status_code == 403


def test_ending_early_takes_the_lane_back(api: Api) -> None:
    user(api, "andi", ["kasubbag"])
    made = appoint(api, "ketua", "andi", TODAY, TODAY + timedelta(days=3))
    body = made.get_json()  # type: ignore[attr-defined]
    end = f"/acting/andi/{body['appointment_id']}/end"
    assert api.post(end, "andi", json={"reason": "x"}).status_code == 403  # not the deputy
    assert api.post(end, "ketua", json={"reason": "Ketua kembali bertugas"}).status_code == 204
    assert api.post(end, "ketua", json={"reason": "lagi"}).status_code == 409
    case_id, task = ketua_step(api)
    assert api.post(f"/cases/{case_id}/tasks/{task['id']}/claim", "andi").status_code == 403
    (row,) = api.get("/acting", "administrator").get_json()
    assert row["ended"] is True and row["holds_today"] is False


def test_bad_appointments_are_refused_and_nothing_is_appended(api: Api) -> None:
    user(api, "andi", ["kasubbag"])
    for by, change, status, field in (
            ("administrator", {"role": "administrator", "official": "administrator"}, 422,
             "role"),  # the service's own roles are never lent
            ("administrator", {"role": "ketua_sekretaris", "official": "ketua"}, 422,
             "role"),  # a combined lane: lent through its member roles
            ("ketua", {"deputy": "tidak_ada"}, 422, "deputy"),
            ("ketua", {"deputy": "ketua"}, 422, "deputy"),
            ("ketua", {"kind": "wakil"}, 422, "kind"),
            ("ketua", {"ends_on": (TODAY - timedelta(days=1)).isoformat()}, 422, "ends_on"),
            ("ketua", {"ends_on": (TODAY + timedelta(days=400)).isoformat()}, 422, "ends_on"),
            ("ketua", {"reason": ""}, 422, "reason"),
            ("administrator", {"official": "sekretaris"}, 422, "official"),
            ("kasubbag", {}, 403, None),  # does not hold the Ketua's role
            ("inspektur", {}, 403, None)):
        body = {"deputy": "andi", "role": "ketua", "kind": "plh",
                "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(),
                "reason": "Dinas luar", **change}
        refused = api.post("/acting", by, json=body)
        assert refused.status_code == status, (change, refused.get_json())
        if field:
            assert field in refused.get_json()["errors"], (change, refused.get_json())
    assert api.get("/acting", "administrator").get_json() == []
    assert appoint(api, "ketua", "andi").status_code == 201  # type: ignore[attr-defined]
    overlap = appoint(api, "ketua", "andi", TODAY, TODAY + timedelta(days=1))
    assert overlap.status_code == 409  # type: ignore[attr-defined]
    assert len(api.get("/acting", "administrator").get_json()) == 1
