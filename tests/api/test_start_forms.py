"""Every process's start form on both stores: generated valid data starts a case, missing
required fields are refused with 422 per field and nothing appended; only the starters may
start; the subject comes from the start form; the portal's payloads satisfy the forms."""

from __future__ import annotations

from typing import Any

from alur.bootstrap import Services
from api.intake import KINDS, clean
from orchestrator.policy import REPORTER_LANES
from tests.conftest import Api
from tests.starts import start_data


def _starter(services: Services, key: str) -> str:
    """A demo user who may start the process (the staff desk where there is one)."""
    model, _ = services.orchestrator.model(key)
    staff = [r for r in model.starters if r not in REPORTER_LANES]
    role = (staff or list(model.starters))[-1]
    return sorted(services.roles.members(role))[0]  # a combined lane: one of its members


def test_every_start_form_accepts_valid_data_and_refuses_missing_fields(
        api: Api, services: Services) -> None:
    app = services.orchestrator
    for key in app.process_keys():
        model, _ = app.model(key)
        assert model.start_form is not None, key
        user = _starter(services, key)
        before = app.recorder.max_notification_id()
        missing = api.post("/cases", user, json={"process": key, "data": {}})
        assert missing.status_code == 422, (key, missing.get_json())
        assert set(missing.get_json()["errors"]) == set(model.start_form["required"]), key
        first, *_ = model.start_form["required"]
        data = start_data(model, complete=True)
        one_short = {k: v for k, v in data.items() if k != first}
        refused = api.post("/cases", user, json={"process": key, "data": one_short})
        assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {first}
        assert app.recorder.max_notification_id() == before, f"{key}: a refused start wrote"
        started = api.post("/cases", user, json={"process": key, "data": data})
        assert started.status_code == 201, (key, started.get_json())


def test_unknown_and_mistyped_start_fields_are_refused(api: Api, services: Services) -> None:
    model, _ = services.orchestrator.model("sop_9_14")
    data = start_data(model)
    for bad in ({"nomor_agenda": "1"}, {"sifat": "kilat"}, {"tanggal_surat": "9 Januari"}):
        response = api.post("/cases", "petugas_admin_surat",
                            json={"process": "sop_9_14", "data": {**data, **bad}})
        assert response.status_code == 422, bad
        assert set(response.get_json()["errors"]) == set(bad)


def test_only_the_starters_start_and_the_subject_comes_from_the_form(
        api: Api, services: Services) -> None:
    model, _ = services.orchestrator.model("sop_9_14")
    data = start_data(model, perihal="Undangan rapat koordinasi")
    for other in ("ketua", "kasubbag", "inspektur"):  # lanes of 9.14, but not its first row's
        assert api.post("/cases", other, json={"process": "sop_9_14", "data": data}
                        ).status_code == 403, other
    started = api.post("/cases", "petugas_admin_surat",
                       json={"process": "sop_9_14", "data": data}).get_json()
    (row,) = api.get(f"/inbox?after={started['position']}", "petugas_admin_surat").get_json()
    assert row["subject"] == "Undangan rapat koordinasi"


def test_the_portals_payloads_satisfy_the_start_forms(services: Services) -> None:
    """What the portal sends after loading and cleaning its payload is valid start data."""
    from orchestrator.forms import validate_form

    examples = {
        "pengaduan": {"subjek": "Antrian", "uraian": "Antrian di loket terlalu lama.",
                      "pelapor_nama": "Budi", "pelapor_kontak": "budi@example.id",
                      "lokasi": "Bontang"},
        "wbs": {"subjek": "Pungutan", "uraian": "Ada permintaan uang di loket.", "anonim": True},
        "gratifikasi": {"subjek": "Parsel", "uraian": "Parsel dari rekanan kantor.",
                        "pelapor_nama": "Siti", "pelapor_kontak": "siti@example.id",
                        "jenis_laporan": "penerimaan", "tanggal_penerimaan": "9/1/2025",
                        "nilai_perkiraan": "Rp 1.250.000"},
        "informasi": {"subjek": "Salinan SK", "uraian": "Salinan SK penetapan DPT 2024.",
                      "pemohon_nama": "Andi", "pemohon_kontak": "andi@example.id",
                      "jenis_informasi": "pemilu"},
    }
    for kind, payload in examples.items():
        spec = KINDS[kind]
        data: dict[str, Any] = {**clean(spec, spec.schema().load(payload)), "kanal": "portal"}
        model, _ = services.orchestrator.model(spec.process)
        assert model.start_form is not None
        validate_form(model.start_form, data)
    loaded = KINDS["gratifikasi"].schema().load(examples["gratifikasi"])
    assert loaded["tanggal_penerimaan"] == "2025-01-09"
    assert loaded["nilai_perkiraan"] == 1250000
