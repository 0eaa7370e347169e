"""Disposition (SRIKANDI's disposisi) over the API, on both stores: SOP 9.14's Ketua names the
official on the disposition sheet (row 4), the step that official must take (row 6) is theirs
when it activates, with the instruction; a holder redisposes it keeping the chain; every case
keeps each step's own data; combined columns let either named official act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from tests.conftest import Api
from tests.steps import step_data

PASSWORD = "sandi-uji-panjang-1"


def user(api: Api, name: str, roles: list[str]) -> None:
    created = api.post("/users", "administrator", json={
        "username": name, "full_name": f"Uji {name}", "roles": roles, "password": PASSWORD})
    assert created.status_code == 201, created.get_json()
    api.login(name, PASSWORD)


def open_task(api: Api, case_id: str) -> dict[str, Any]:
    (task,) = api.get(f"/cases/{case_id}", "administrator").get_json()["open_tasks"]
    return task


def complete(api: Api, case_id: str, who: str, data: dict[str, Any]) -> Any:
    """Complete the open step: the form's required fields from its sample, then ``data``."""
    task = open_task(api, case_id)
    return api.complete(f"/cases/{case_id}/tasks/{task['id']}", who,
                        step_data(task["form"], **data))


def letter_at_row_4(api: Api) -> str:
    """An incoming letter (9.14) registered and passed to the Ketua/Sekretaris KPU."""
    created = api.start("sop_9_14", "petugas_admin_surat", perihal="Undangan rapat koordinasi")
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    for note in ("dicatat", "dipindai", "diserahkan"):
        assert complete(api, case_id, "petugas_admin_surat", {"catatan": note}).status_code == 200
    return case_id


def disposed_to(api: Api, assignee: str) -> tuple[str, dict[str, Any]]:
    """Row 4 disposes to ``assignee``, row 5 returns the letter: row 6 activates."""
    case_id = letter_at_row_4(api)
    done = complete(api, case_id, "ketua", {"penerima_disposisi": assignee,
                                            "isi_disposisi": "Siapkan bahan rapat"})
    assert done.status_code == 200, done.get_json()
    returned = complete(api, case_id, "petugas_admin_surat", {"catatan": "ke pejabat"})
    assert returned.status_code == 200
    api.position = returned.get_json()["position"]  # type: ignore[attr-defined]
    return case_id, open_task(api, case_id)


def test_the_sheet_disposes_row_6_to_the_named_official(api: Api) -> None:
    user(api, "kasubbag_andi", ["kasubbag"])
    user(api, "kasubbag_budi", ["kasubbag"])
    case_id, task = disposed_to(api, "kasubbag_andi")
    assert task["properties"]["row"] == "6"
    assert task["claimed_by"] == "kasubbag_andi"
    assert (task["assigned_by"], task["instruction"]) == ("ketua", "Siapkan bahan rapat")
    (link,) = task["dispositions"]
    assert link["from_field"] == "penerima_disposisi" and link["previous_assignee"] is None

    mine = api.get(f"/inbox?view=mine&after={api.position}",  # type: ignore[attr-defined]
                   "kasubbag_andi").get_json()
    assert [(r["id"], r["assigned_by"], r["instruction"]) for r in mine] == [
        (task["id"], "ketua", "Siapkan bahan rapat")]
    assert api.get("/inbox", "kasubbag_budi").get_json() == []  # held: not in others' lists
    base = f"/cases/{case_id}/tasks/{task['id']}"
    assert api.post(f"{base}/claim", "kasubbag_budi").status_code == 409
    assert api.post(f"{base}/complete", "kasubbag_budi", json={"data": {}}).status_code == 409
    shown = api.get(base, "kasubbag_budi").get_json()  # others in the lane see it assigned
    assert (shown["claimed_by"], shown["assigned_by"]) == ("kasubbag_andi", "ketua")

    events = api.get(f"/cases/{case_id}/events", "administrator").get_json()
    (assigned,) = [e for e in events if e["type"] == "TaskAssigned"]
    assert assigned["actor"] == "ketua" and assigned["data"]["assignee"] == "kasubbag_andi"
    assert api.complete(base, "kasubbag_andi",
                        step_data(task["form"], catatan="ditindaklanjuti")).status_code == 200
    case = api.get(f"/cases/{case_id}", "administrator").get_json()
    assert case["status"] == "completed"
    assert case["steps"][-1]["dispositions"][0]["assignee"] == "kasubbag_andi"


def test_every_step_keeps_its_own_data(api: Api) -> None:
    user(api, "kasubbag_andi", ["kasubbag"])
    case_id, _ = disposed_to(api, "kasubbag_andi")
    steps = api.get(f"/cases/{case_id}", "administrator").get_json()["steps"]
    assert [(s["row"], s["actor"]) for s in steps] == [
        ("1", "petugas_admin_surat"), ("2", "petugas_admin_surat"),
        ("3", "petugas_admin_surat"), ("4", "ketua"), ("5", "petugas_admin_surat")]
    assert [s["data"].get("catatan") for s in steps] == [
        "dicatat", "dipindai", "diserahkan", None, "ke pejabat"]  # none overwrote another
    assert steps[3]["data"]["penerima_disposisi"] == "kasubbag_andi"
    assert steps[0]["completed_at"].endswith("+08:00") and steps[0]["lane"]
    replayed = api.get(f"/cases/{case_id}/replay?at=4", "inspektur").get_json()
    assert [s["row"] for s in replayed["steps"]] == ["1"]


def test_a_sheet_naming_who_cannot_take_it_is_refused(api: Api) -> None:
    user(api, "mantan_kasubbag", ["kasubbag"])
    user(api, "staf_biasa", ["staf"])
    user(api, "pemeriksa", ["kasubbag", "inspektur"])
    assert api.post("/users/mantan_kasubbag/disable", "administrator").status_code == 200
    case_id = letter_at_row_4(api)
    for named in ("tidak_ada", "mantan_kasubbag", "staf_biasa", "pemeriksa"):
        refused = complete(api, case_id, "ketua", {"penerima_disposisi": named,
                                                   "isi_disposisi": "x"})
        assert refused.status_code == 422, named
        assert "penerima_disposisi" in refused.get_json()["errors"]
    assert len(api.get(f"/cases/{case_id}", "administrator").get_json()["steps"]) == 3


def test_the_holder_redisposes_and_the_chain_is_kept(api: Api) -> None:
    user(api, "kasubbag_andi", ["kasubbag"])
    user(api, "kasubbag_budi", ["kasubbag"])
    case_id, task = disposed_to(api, "kasubbag_andi")
    base = f"/cases/{case_id}/tasks/{task['id']}"
    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    moved = api.post(f"{base}/assign", "kasubbag_andi", json={
        "assignee": "kasubbag_budi", "instruction": "Mohon diwakili", "due_at": due})
    assert moved.status_code == 200, moved.get_json()
    now = api.get(base, "kasubbag_budi").get_json()
    assert [(d["by"], d["assignee"], d["previous_assignee"]) for d in now["dispositions"]] == [
        ("ketua", "kasubbag_andi", None), ("kasubbag_andi", "kasubbag_budi", "kasubbag_andi")]
    assert now["assignment_due_at"].endswith("+08:00")
    mine = api.get(f"/inbox?view=mine&after={moved.get_json()['position']}",
                   "kasubbag_budi").get_json()
    assert [(r["id"], r["instruction"]) for r in mine] == [(task["id"], "Mohon diwakili")]
    assert mine[0]["assignment_due_at"].endswith("+08:00")
    assert api.get("/inbox?view=mine", "kasubbag_andi").get_json() == []
    # andi no longer holds it: 409, as for a step someone else claimed
    again = api.post(f"{base}/assign", "kasubbag_andi", json={
        "assignee": "kasubbag_andi", "instruction": "kembali"})
    assert again.status_code == 409


def test_a_free_step_is_disposed_by_a_holder_of_its_lane(api: Api) -> None:
    """Without a sheet: a holder of the lane disposes a step nobody holds (the Camunda way)."""
    user(api, "kasubbag_andi", ["kasubbag"])
    case_id = letter_at_row_4(api)
    task = open_task(api, case_id)  # row 4, lane Ketua/Sekretaris KPU, nobody holds it
    base = f"/cases/{case_id}/tasks/{task['id']}"
    body = {"assignee": "sekretaris", "instruction": "Surat untuk Sekretaris"}
    assert api.post(f"{base}/assign", "kasubbag_andi", json=body).status_code == 403
    assert api.post(f"{base}/assign", "inspektur", json=body).status_code == 403
    done = api.post(f"{base}/assign", "ketua", json=body)
    assert done.status_code == 200, done.get_json()
    mine = api.get(f"/inbox?view=mine&after={done.get_json()['position']}", "sekretaris")
    assert [r["id"] for r in mine.get_json()] == [task["id"]]
    assert api.post(f"{base}/assign", "ketua", json=body).status_code == 409  # sekretaris holds


def test_assign_refuses_bad_requests(api: Api) -> None:
    user(api, "kasubbag_andi", ["kasubbag"])
    case_id = letter_at_row_4(api)
    task = open_task(api, case_id)
    base = f"/cases/{case_id}/tasks/{task['id']}"
    ok = {"assignee": "sekretaris", "instruction": "Telaah"}
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    cases = [
        ({"assignee": "kasubbag_andi", "instruction": "x"}, 422),  # does not hold the lane
        ({"assignee": "tidak_ada", "instruction": "x"}, 422),
        ({"assignee": "sekretaris"}, 422),  # no instruction
        ({"assignee": "sekretaris", "instruction": ""}, 422),
        ({**ok, "due_at": past}, 422),
        ({**ok, "due_at": "besok"}, 422),
        ({**ok, "extra": 1}, 422),
        ({**ok, "case_version": 1}, 409),
    ]
    for body, status in cases:
        answer = api.post(f"{base}/assign", "ketua", json=body)
        assert answer.status_code == status, (body, answer.get_json())
    assert api.post(f"/cases/{case_id}/tasks/{uuid4()}/assign", "ketua",
                    json=ok).status_code == 404
    assert api.post(f"/cases/{uuid4()}/tasks/{task['id']}/assign", "ketua",
                    json=ok).status_code == 404
    events = api.get(f"/cases/{case_id}/events", "administrator").get_json()
    assert not [e for e in events if e["type"] == "TaskAssigned"]  # nothing appended
    naive = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None).isoformat()
    done = api.post(f"{base}/assign", "ketua", json={**ok, "due_at": naive[:19]})
    assert done.status_code == 200, done.get_json()
    closed = api.complete(base, "sekretaris", step_data(
        task["form"], penerima_disposisi="kasubbag_andi", isi_disposisi="x"))
    assert closed.status_code == 200
    assert api.post(f"{base}/assign", "sekretaris", json=ok).status_code == 409


def test_combined_columns_let_either_official_act(api: Api) -> None:
    """9.13 rows 1 and 4 lie in 'Sekretaris/Ketua KPU': the Ketua and the Sekretaris see and
    take them; nobody else does, and the combined role is never given to a user."""
    created = api.start("sop_9_13", "sekretaris")
    assert created.status_code == 201, created.get_json()
    (task,) = created.get_json()["open_tasks"]
    assert task["lane"] == "ketua_sekretaris"
    for official in ("ketua", "sekretaris"):
        rows = api.get(f"/inbox?after={created.get_json()['position']}", official).get_json()
        assert task["id"] in [r["id"] for r in rows], official
    assert task["id"] not in [r["id"] for r in api.get("/inbox", "kasubbag").get_json()]
    base = f"/cases/{created.get_json()['id']}/tasks/{task['id']}"
    assert api.post(f"{base}/claim", "kasubbag").status_code == 403
    assert api.complete(base, "sekretaris", step_data(task["form"])).status_code == 200
    given = api.post("/users", "administrator", json={
        "username": "gabungan", "full_name": "G", "roles": ["ketua_sekretaris"],
        "password": PASSWORD})
    assert given.status_code == 422 and "roles" in given.get_json()["errors"]
