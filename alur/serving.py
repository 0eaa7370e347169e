"""One serving process per SQLite store: a second one is refused at start.

SQLite has one writer at a time, so more serving processes add no write throughput, only lock
contention; with in-process projections each of them would also write the same read model,
and a projection's read-then-write transaction cannot wait for the lock (SQLite answers
"database is locked" at once). Threads inside one process share one catch-up loop and one
lock. Several processes or machines need PostgreSQL (README, Reliability).

The claim is a POSIX record lock (``lockf``) on a file beside the store: it belongs to the
process, ends with it however it ends (also ``kill -9``), and is not inherited by a fork.
Read-only and maintenance commands (``alur audit verify``, ``alur projections status``,
``alur backup create``) never claim it and run beside a server.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from typing import TextIO

from alur.config import Config
from orchestrator.errors import ServiceMisconfigured

_claims: dict[Path, TextIO] = {}  # kept open for the process's life: closing would release


def claim_store(config: Config) -> None:
    """Claim the SQLite store for this serving process; refuse if another one serves it."""
    if config.is_postgres:
        return
    path = lock_path(config)
    if path in _claims:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise ServiceMisconfigured(refusal(config, holder)) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _claims[path] = handle


def release_store(config: Config) -> None:
    """Give the claim up before the process ends (tests that build the WSGI app in-process)."""
    handle = _claims.pop(lock_path(config), None) if not config.is_postgres else None
    if handle is not None:
        handle.close()


def lock_path(config: Config) -> Path:
    store = Path(config.url.removeprefix("sqlite:///"))
    return store.with_name(f"{store.name}.serving")


def refusal(config: Config, holder: str) -> str:
    return (f"another process (pid {holder}) already serves the SQLite store "
            f"{config.url.removeprefix('sqlite:///')}. SQLite takes one serving process: run "
            "one `alur serve`, or gunicorn with one worker and threads (`gunicorn --workers 1 "
            "--threads 8 'alur.wsgi:create()'`). For several processes or machines use "
            "PostgreSQL (ALUR_DATABASE_URL=postgresql://…).")


def _refuse_in_forked_child() -> None:
    """A fork of a serving process (``gunicorn --preload``) would serve the parent's store
    and SQLite connections beside it: exit as a worker that failed to boot (gunicorn stops)."""
    if not _claims:
        return
    print("error: a serving process on a SQLite store was forked (gunicorn --preload?); "
          "SQLite takes one serving process: drop --preload and run one worker, or use "
          "PostgreSQL", file=sys.stderr, flush=True)
    os._exit(3)  # gunicorn's WORKER_BOOT_ERROR: the arbiter halts instead of respawning


os.register_at_fork(after_in_child=_refuse_in_forked_child)
