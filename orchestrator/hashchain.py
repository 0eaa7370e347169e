"""Tamper evidence: each case event carries its predecessor's hash over a canonical encoding."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot encode {type(value).__name__} canonically")


def canonical(topic: str, fields: dict[str, Any]) -> bytes:
    """Deterministic bytes for an event: its topic and every field, keys sorted, compact JSON."""
    body = {"topic": topic, **fields}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default).encode("utf-8")


def event_hash(topic: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(topic, fields)).hexdigest()
