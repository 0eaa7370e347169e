"""``alur audit export``, concurrent access logging and the sensitivity of deployed versions,
on the real stores."""

from __future__ import annotations

import getpass
import json
import threading
from pathlib import Path
from uuid import UUID

import pytest

from alur.bootstrap import SYSTEM, Services
from alur.cli import main
from alur.config import Config
from orchestrator.audit import Auditor
from orchestrator.commands import Actor, DeployProcess, StartCase
from orchestrator.errors import InvalidDefinition, NotAllowed
from tests.starts import wbs_start

ROOT = Path(__file__).resolve().parents[2] / "processes" / "bpmn"
REPORTER = Actor("pelapor", frozenset({"pelapor"}))
NAME = "Rudi Hartono Wibisana"


def wbs_case(services: Services) -> UUID:
    data = wbs_start(uraian="Dugaan", pelapor={"nama": NAME})
    return services.orchestrator.start_case(StartCase("sop_9_5", data, REPORTER)).case_id


def test_cli_exports_json_and_pdf_and_the_read_is_logged(
        services: Services, config: Config, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    case_id = wbs_case(services)
    out = tmp_path / "kasus.json"
    assert main(["audit", "export", str(case_id), "--format", "json", "--output", str(out)],
                config) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    events = services.orchestrator.case_events(case_id)
    assert [e["seq"] for e in doc["events"]] == [e.originator_version for e in events]
    assert doc["verification"]["ok"] and doc["case"]["reporter"] == "[disamarkan]"
    assert NAME not in out.read_text(encoding="utf-8")
    pdf = tmp_path / "kasus.pdf"
    assert main(["audit", "export", str(case_id), "--format", "pdf", "--output", str(pdf)],
                config) == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert doc["verification"]["head_hash"] in capsys.readouterr().out
    log = Auditor(services.orchestrator).access_log(case_id)
    assert [(e.actor, e.what) for e in log] == [
        (f"cli:{getpass.getuser()}", "export.json (cli)"),
        (f"cli:{getpass.getuser()}", "export.pdf (cli)")]


def test_cli_export_of_an_unknown_case_is_an_error(config: Config, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert main(["audit", "export", unknown, "--output", str(tmp_path / "x.json")], config) == 2
    assert "no case" in capsys.readouterr().err


def test_concurrent_reads_are_all_logged(services: Services) -> None:
    case_id = wbs_case(services)
    auditor = Auditor(services.orchestrator)
    case = services.orchestrator.get_case(case_id)

    def read(name: str) -> None:
        for _ in range(4):
            auditor.record_read(case, Actor(name, frozenset({"inspektur"})), "case")

    threads = [threading.Thread(target=read, args=(f"reader{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = auditor.access_log(case_id)
    assert len(log) == 12 and [e.seq for e in log] == list(range(2, 14))
    assert services.orchestrator.get_case(case_id).version == case.version


def test_a_new_version_may_not_drop_the_sensitive_flag(services: Services) -> None:
    bpmn = (ROOT / "sop-9.5.bpmn").read_bytes()
    start, end = bpmn.index(b"    <bpmn:extensionElements>"), bpmn.index(b"    <bpmn:laneSet")
    with pytest.raises(InvalidDefinition, match="must keep"):
        services.orchestrator.deploy(DeployProcess("sop_9_5", bpmn[:start] + bpmn[end:], SYSTEM))
    renamed = bpmn.replace(b'name="Mulai"', b'name="Mulai laporan"', 1)
    assert services.orchestrator.deploy(DeployProcess("sop_9_5", renamed, SYSTEM)) == 2


def test_an_inspector_may_not_deploy(services: Services) -> None:
    inspector = Actor("inspektur", frozenset({"inspektur", "pemilik_proses"}))
    with pytest.raises(NotAllowed):
        services.orchestrator.deploy(DeployProcess("sop_9_3", b"<x/>", inspector))
