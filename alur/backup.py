"""Back up and restore the event store (the only thing that must be kept: read models rebuild).

SQLite: the online backup API gives a consistent copy while the service runs.
PostgreSQL: pg_dump / pg_restore of the store's schema (custom format).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from alur.config import Config, eventsourcing_env
from orchestrator.errors import InvalidInput


def create(config: Config, target: Path) -> None:
    """Write a consistent backup of the event store to ``target``."""
    if config.is_postgres:
        env = eventsourcing_env(config)
        _run(["pg_dump", "--format=custom", f"--file={target}", *_pg_args(env),
              f"--schema={env.get('POSTGRES_SCHEMA', 'public')}", env["POSTGRES_DBNAME"]], env)
        return
    source = _sqlite_path(config)
    if not source.exists():
        raise InvalidInput(f"no event store at {source}")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def restore(config: Config, source: Path) -> None:
    """Put a backup in place of the (empty or replaced) event store; read models must then be
    rebuilt with ``alur projections rebuild``."""
    if not source.exists():
        raise InvalidInput(f"no backup at {source}")
    if config.is_postgres:
        env = eventsourcing_env(config)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_args(env),
              f"--dbname={env['POSTGRES_DBNAME']}", str(source)], env)
        return
    target = _sqlite_path(config)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f"{target.stem}*"):  # the store and its projection files
        stale.unlink()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _sqlite_path(config: Config) -> Path:
    return Path(config.url.removeprefix("sqlite:///"))


def _pg_args(env: dict[str, str]) -> list[str]:
    return [f"--host={env['POSTGRES_HOST']}", f"--port={env['POSTGRES_PORT']}",
            f"--username={env['POSTGRES_USER']}"]


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise InvalidInput(f"{command[0]} is not installed (apt-get install postgresql-client)")
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            env={"PGPASSWORD": env.get("POSTGRES_PASSWORD", ""),
                                 "PATH": "/usr/bin:/bin:/usr/local/bin"})
    if result.returncode != 0:
        raise InvalidInput(f"{command[0]} failed: {result.stderr.strip()[:500]}")
