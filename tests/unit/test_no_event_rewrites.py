"""Tamper evidence needs an append-only store: no code of ours rewrites or deletes events."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REWRITE = re.compile(r"(UPDATE|DELETE\s+FROM|TRUNCATE)\s+[\w.\"]*(events|snapshots)\b", re.I)


def test_no_update_or_delete_of_stored_events() -> None:
    sources = [p for package in ("orchestrator", "projections", "api", "alur")
               for p in (ROOT / package).rglob("*.py")]
    assert sources
    offenders = [str(p.relative_to(ROOT)) for p in sources if REWRITE.search(p.read_text())]
    assert offenders == []
