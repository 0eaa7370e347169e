"""Every service standard with a turnaround time sets it on the cases of its process."""

from __future__ import annotations

from pathlib import Path

import pytest

from alur.bootstrap import Services
from orchestrator.commands import Actor, StartCase
from orchestrator.standards import load_standards
from tests.starts import start_data


@pytest.mark.parametrize("config", ["sqlite"], indirect=True)
def test_each_service_case_gets_its_standards_deadline(services: Services) -> None:
    app = services.orchestrator
    assert {s.key for s in app.standards.values()} >= {
        "svc_ppid", "svc_paw", "svc_pengaduan", "svc_sisdiklih", "svc_dokumentasi_hukum",
        "svc_magang", "svc_data_pemilih"}
    for key, standard in app.standards.items():
        model, _ = app.model(key)
        actor = Actor("t", frozenset(model.lanes.values()))
        data = start_data(model, **{f.name: f.values[-1] for f in standard.requires})
        case = app.get_case(app.start_case(StartCase(key, data, actor)).case_id)
        chosen = standard.deadline_for(data)
        if chosen is None:
            assert case.deadline is None, key
            continue
        _, deadline = chosen
        assert case.deadline["service"] == standard.key
        assert (case.deadline["working_days"], case.deadline["working_minutes"]) == (
            deadline.working_days, deadline.working_minutes), key


def test_documented_figures() -> None:
    standards = {s.key: s for s in load_standards(
        Path(__file__).resolve().parents[2] / "processes" / "catalogue").values()}
    assert standards["svc_paw"].deadline_for({})[1].working_days == 5
    assert standards["svc_dokumentasi_hukum"].deadline_for({})[1].working_minutes == 65
    assert standards["svc_sisdiklih"].deadline_for({})[1].working_days == 3
    assert standards["svc_magang"].deadline_for({}) is None
