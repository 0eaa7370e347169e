"""The alur command line against a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from alur.cli import main
from alur.config import Config


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(data_dir=tmp_path, secret_key="x")


def test_deploy_list_seed_status_rebuild(config: Config, capsys: pytest.CaptureFixture) -> None:
    assert main(["processes", "deploy"], config) == 0
    assert "sop_9_3 v1 deployed from processes/bpmn/sop-9.3.bpmn (new process)" in \
        capsys.readouterr().out
    assert main(["processes", "deploy"], config) == 0  # unchanged file: same version
    assert "sop_9_3: file unchanged since v1 (latest)" in capsys.readouterr().out
    assert main(["processes", "list"], config) == 0
    assert "Penanganan Pelaporan Pengaduan" in capsys.readouterr().out
    assert main(["users", "seed-demo"], config) == 0
    assert "demo user(s) created" in capsys.readouterr().out
    assert main(["projections", "rebuild"], config) == 0
    assert "inbox: rebuilt" in capsys.readouterr().out
    assert main(["projections", "status"], config) == 0
    assert '"lag": 0' in capsys.readouterr().out


def test_unknown_projection_is_an_error(config: Config, capsys: pytest.CaptureFixture) -> None:
    assert main(["projections", "rebuild", "nope"], config) == 2
    assert "unknown projection" in capsys.readouterr().err


def test_production_refuses_demo_users(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config = Config(data_dir=tmp_path, secret_key="x", env="production")
    assert main(["users", "seed-demo"], config) == 2
    assert "refused" in capsys.readouterr().err


def test_backup_and_restore_commands(config: Config, tmp_path: Path,
                                     capsys: pytest.CaptureFixture) -> None:
    assert main(["processes", "deploy"], config) == 0
    target = tmp_path / "store.backup"
    assert main(["backup", "create", str(target)], config) == 0
    other = Config(data_dir=tmp_path / "other", secret_key="x")
    assert main(["backup", "restore", str(target)], other) == 0
    assert "projections rebuilt" in capsys.readouterr().out
    assert main(["processes", "list"], other) == 0
    assert "sop_9_3" in capsys.readouterr().out
    assert main(["backup", "restore", str(tmp_path / "missing")], other) == 2
    assert "no backup" in capsys.readouterr().err
