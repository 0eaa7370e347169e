"""Optimistic concurrency at the edge: ETag is the case version, If-Match the expected one."""

from __future__ import annotations

from typing import Any

from flask import request

from orchestrator.errors import StaleCaseVersion


def expected_version(body: dict[str, Any] | None = None) -> int | None:
    """The version the client acted on: If-Match header, or ``case_version`` in the body."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        value = header.removeprefix("W/").strip('"')
        if not value.isdigit():
            raise StaleCaseVersion(f"If-Match must be a case version, got {header!r}")
        return int(value)
    if body and body.get("case_version") is not None:
        return int(body["case_version"])
    return None


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}
