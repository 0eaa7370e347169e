"""A restart (``alur processes deploy``, as ``alur serve`` runs it) never reverts a process
owner's newer version: only files changed since they were last deployed *from disk* become
new versions, and the output says per process what happened. On both stores."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from alur.bootstrap import SYSTEM, bootstrap, deploy_all, seed_demo_users
from alur.cli import main
from alur.config import PROJECT_ROOT, Config
from api.app import create_app
from orchestrator.commands import DeployProcess
from tests.conftest import Api

FILES = ("sop-9.3.bpmn", "sop-9.5.bpmn")


@pytest.fixture
def local(config: Config, tmp_path: Path) -> Config:
    """The same store, with a processes directory of its own holding two BPMN files."""
    processes = tmp_path / "processes"
    (processes / "bpmn").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "processes" / "roles.yaml", processes / "roles.yaml")
    shutil.copytree(PROJECT_ROOT / "processes" / "catalogue", processes / "catalogue")
    for name in FILES:
        shutil.copy(PROJECT_ROOT / "processes" / "bpmn" / name, processes / "bpmn" / name)
    return dataclasses.replace(config, processes_dir=processes)


def restart(config: Config, capsys: pytest.CaptureFixture) -> list[str]:
    assert main(["processes", "deploy"], config) == 0
    return capsys.readouterr().out.splitlines()


def deploy_from_the_modeler(config: Config, xml: str) -> None:
    services = bootstrap(config)
    try:
        seed_demo_users(services)
        api = Api(create_app(services, testing=True).test_client())
        response = api.post("/processes/sop_9_5/versions", "pemilik_proses", json={"bpmn": xml})
        assert response.status_code == 201, response.get_json()
    finally:
        services.close()


def latest(config: Config, key: str) -> dict[str, object]:
    services = bootstrap(config)
    try:
        return services.orchestrator.definition(key).versions[-1]
    finally:
        services.close()


def test_a_restart_keeps_the_owners_version_and_deploys_changed_files(
        local: Config, capsys: pytest.CaptureFixture) -> None:
    wbs = local.processes_dir / "bpmn" / "sop-9.5.bpmn"
    shown = "processes/bpmn/sop-9.5.bpmn"
    assert restart(local, capsys) == [
        "sop_9_3 v1 deployed from processes/bpmn/sop-9.3.bpmn (new process)",
        f"sop_9_5 v1 deployed from {shown} (new process)"]
    assert latest(local, "sop_9_5")["source"] == f"file:{shown}"

    owners = wbs.read_text(encoding="utf-8").replace('name="Mulai"', 'name="Mulai laporan"', 1)
    deploy_from_the_modeler(local, owners)
    assert latest(local, "sop_9_5")["source"] == "api"

    assert restart(local, capsys) == [
        "sop_9_3: file unchanged since v1 (latest)",
        "sop_9_5: file unchanged since v1; v2 by pemilik_proses (api) stays latest"]
    kept = latest(local, "sop_9_5")
    assert (kept["version"], kept["deployed_by"]) == (2, "pemilik_proses")

    wbs.write_text(wbs.read_text(encoding="utf-8").replace(
        'name="Mulai"', 'name="Mulai pelaporan"', 1), encoding="utf-8")
    assert restart(local, capsys)[1] == (
        f"sop_9_5 v3 deployed from {shown} (changed since v1)")
    assert (latest(local, "sop_9_5")["version"], latest(local, "sop_9_5")["source"]) == (
        3, f"file:{shown}")
    assert restart(local, capsys)[1] == "sop_9_5: file unchanged since v3 (latest)"


def test_a_file_equal_to_the_owners_version_deploys_nothing(
        local: Config, capsys: pytest.CaptureFixture) -> None:
    wbs = local.processes_dir / "bpmn" / "sop-9.5.bpmn"
    restart(local, capsys)
    owners = wbs.read_text(encoding="utf-8").replace('name="Mulai"', 'name="Mulai laporan"', 1)
    deploy_from_the_modeler(local, owners)
    wbs.write_text(owners, encoding="utf-8")  # the owner's version, exported to the file
    assert restart(local, capsys)[1] == (
        "sop_9_5: file changed since v1 and equals the latest, v2 by pemilik_proses (api); "
        "nothing deployed")
    assert latest(local, "sop_9_5")["version"] == 2


def test_versions_deployed_before_sources_were_recorded_count_by_their_actor(
        local: Config) -> None:
    """A store from before: every version has source "" — the system's came from disk."""
    services = bootstrap(local)
    try:
        bpmn = (local.processes_dir / "bpmn" / "sop-9.3.bpmn").read_bytes()
        services.orchestrator.deploy(DeployProcess("sop_9_3", bpmn, SYSTEM))
        outcomes = deploy_all(services)
    finally:
        services.close()
    assert outcomes[0].message == "sop_9_3: file unchanged since v1 (latest)"
    assert [o.deployed for o in outcomes] == [False, True]
