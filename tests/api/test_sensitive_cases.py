"""WBS and gratifikasi: the reporter is sealed before any event, shown only to the handling
unit, the case only to the process's staff lanes and inspectors, and every read of the case
is logged apart from the case's own stream (both stores)."""

from __future__ import annotations

from typing import Any

from alur.config import Config
from tests.conftest import Api
from tests.integration.rawstore import RawStore
from tests.starts import complaint, gratifikasi_start
from tools.form_samples import sample

NAME = "Siti Rahmawati Qoriah"
PHONE = "0812-7788-4411"
REPORT = {"subjek": "Pungutan pengadaan", "uraian": "Dugaan pungutan dalam pengadaan",
          "pelapor": {"nama": NAME, "nik": "6474"},
          "pelapor_telepon": PHONE, "pelapor_email": "siti.qoriah@contoh.id"}
SECRETS = (NAME, PHONE, "siti.qoriah@contoh.id")
REDACTED = "[disamarkan]"


def start(api: Api, process: str = "sop_9_5", data: dict[str, Any] | None = None,
          user: str = "pelapor") -> dict[str, Any]:
    response = api.post("/cases", user, json={"process": process, "data": REPORT if data is None
                                              else data})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def walk(api: Api, case_id: str) -> dict[str, Any]:
    """Every task by the demo user of its lane, to the end."""
    case = api.get(f"/cases/{case_id}", "inspektur").get_json()
    while case["status"] == "active":
        (task,) = case["open_tasks"]
        known = {k: v for k, v in case["data"].items() if k in task["form"]["properties"]}
        done = api.post(f"/tasks/{task['id']}/complete", task["lane"],
                        json={"data": sample(task["form"], overrides=known)})
        assert done.status_code == 200, done.get_json()
        case = api.get(f"/cases/{case_id}", "inspektur").get_json()
    return case


def test_the_reporter_never_reaches_the_store_in_clear(api: Api, config: Config) -> None:
    case = start(api)
    walk(api, case["id"])
    raw = RawStore(config)
    for secret in SECRETS:
        assert secret.encode() not in raw.all_bytes(), secret
        assert secret.encode() not in raw.whole_database(), secret
    assert b"Dugaan pungutan" in raw.all_bytes()  # the report itself is stored
    assert "pelapor" not in case["data"]
    assert case["data"]["uraian"] == "Dugaan pungutan dalam pengadaan"


def test_only_the_handling_unit_sees_the_reporter(api: Api) -> None:
    case_id = start(api)["id"]
    shown = api.get(f"/cases/{case_id}", "unit_wbs").get_json()
    assert shown["reporter"] == {k: v for k, v in REPORT.items() if k.startswith("pelapor")}
    assert "pelapor" not in shown["data"]
    for user in ("admin", "sekretaris", "rapat_pleno", "inspektur"):
        response = api.get(f"/cases/{case_id}", user)
        assert response.get_json()["reporter"] == REDACTED, user
        assert NAME not in response.get_data(as_text=True)
    for user in ("pelapor", "administrator", "pemilik_proses"):  # reporter side, service roles
        response = api.get(f"/cases/{case_id}", user)
        assert response.status_code == 404, user
        assert NAME not in response.get_data(as_text=True)
    for path in ("events", "replay?at=1", "export.json"):
        text = api.get(f"/cases/{case_id}/{path}", "inspektur").get_data(as_text=True)
        assert NAME not in text and "v1:" not in text, path  # neither clear nor sealed value


def test_every_read_is_logged_outside_the_case_stream(api: Api) -> None:
    case = start(api)
    case_id, version = case["id"], case["case_version"]
    reads = [("unit_wbs", "", "case"), ("admin", "", "case"), ("inspektur", "/events", "events"),
             ("inspektur", "/replay?at=2", "replay@2"),
             ("inspektur", "/export.json", "export.json"),
             ("sekretaris", "/export.pdf", "export.pdf")]
    for user, path, _ in reads:
        assert api.get(f"/cases/{case_id}{path}", user).status_code == 200, (user, path)
    log = api.get(f"/cases/{case_id}/access-log", "inspektur").get_json()
    assert [(e["actor"], e["what"]) for e in log] == [("pelapor", "case (start)")] + [
        (user, what) for user, _, what in reads]
    assert [e["revealed"] for e in log] == [False, True, False, False, False, False, False]
    assert all(e["at"].endswith("+08:00") and e["roles"] for e in log)
    assert [e["seq"] for e in log] == list(range(2, 9))  # 1 is the log's opening
    assert api.get(f"/cases/{case_id}", "admin").get_json()["case_version"] == version


def test_access_logs_are_for_inspectors_and_administrators(api: Api) -> None:
    case_id = start(api)["id"]
    for user in ("unit_wbs", "sekretaris", "pelapor"):
        response = api.get(f"/cases/{case_id}/access-log", user)
        assert response.status_code == 403, user
    assert len(api.get(f"/cases/{case_id}/access-log", "administrator").get_json()) == 1
    plain = api.post("/cases", "admin", json={"process": "sop_9_3", "data": complaint()}).get_json()
    api.get(f"/cases/{plain['id']}", "admin")
    assert api.get(f"/cases/{plain['id']}/access-log", "inspektur").get_json() == []


def test_an_anonymous_report_runs_to_the_end(api: Api) -> None:
    case = start(api, data={"subjek": "Anonim", "uraian": "Tanpa nama"}, user="admin")
    assert api.get(f"/cases/{case['id']}", "unit_wbs").get_json()["reporter"] is None
    assert api.get(f"/cases/{case['id']}", "sekretaris").get_json()["reporter"] == REDACTED
    done = walk(api, case["id"])
    assert done["status"] == "completed" and done["data"]["uraian"] == "Tanpa nama"
    assert not [key for key in done["data"] if key.startswith("pelapor")]
    assert api.get(f"/cases/{case['id']}/audit/verify", "inspektur").get_json()["ok"]


def test_gratifikasi_reporters_are_seen_by_the_upg_only(api: Api, config: Config) -> None:
    data = gratifikasi_start(uraian="Parsel hari raya", pelapor_nama=NAME)
    case_id = start(api, "sop_9_4", data, user="penerima_penolak_gratifikasi")["id"]
    assert api.get(f"/cases/{case_id}", "upg").get_json()["reporter"] == {
        k: v for k, v in data.items() if k.startswith("pelapor")}
    assert api.get(f"/cases/{case_id}", "sekretaris").get_json()["reporter"] == REDACTED
    assert NAME.encode() not in RawStore(config).all_bytes()


def test_a_plain_case_has_no_reporter_field(api: Api) -> None:
    created = api.post("/cases", "admin", json={
        "process": "sop_9_3", "data": complaint(pelapor_nama="Budi")}).get_json()
    assert "reporter" not in created and created["data"] == complaint(pelapor_nama="Budi")
