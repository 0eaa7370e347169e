"""Back up and restore the event store; afterwards chains verify and projections rebuild equal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest

from alur import backup
from alur.bootstrap import Services, bootstrap
from alur.config import Config
from orchestrator.audit import Auditor
from tests.conftest import PG_URL
from tests.integration.test_inbox_projection import mixed_workload


@pytest.fixture
def restored_config(config: Config, tmp_path: Path) -> Iterator[Config]:
    """An empty place to restore into: another data dir, or another PostgreSQL database."""
    if not config.is_postgres:
        yield Config(data_dir=tmp_path / "restored", secret_key=config.secret_key)
        return
    database = f"restore_{uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    base, _, query = config.database_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{database}?{query}"
    yield Config(database_url=url, data_dir=tmp_path / "restored", secret_key=config.secret_key)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_backup_then_restore_verifies_and_rebuilds_identically(
        services: Services, restored_config: Config, tmp_path: Path) -> None:
    mixed_workload(services)
    services.projections.catch_up()
    live = services.inbox.dump()
    target = tmp_path / "alur.backup"
    backup.create(services.config, target)
    assert target.stat().st_size > 0

    backup.restore(restored_config, target)
    restored = bootstrap(restored_config)
    try:
        results = list(Auditor(restored.orchestrator).verify_all())
        assert len(results) == 6 and all(r.ok for r in results)
        restored.projections.rebuild("inbox")
        assert restored.inbox.dump() == live
    finally:
        restored.close()


def test_restoring_a_missing_backup_is_a_clear_error(config: Config, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no backup"):
        backup.restore(config, tmp_path / "nothing")
