"""Attachment references in case data: a command may cite only files it uploaded itself or
that its own case already cites (never another case's evidence, by a guessed hash)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orchestrator.errors import InvalidTaskData

UNKNOWN = "lampiran tidak dikenal: unggah berkasnya bersama langkah ini"


def references(data: object) -> set[str]:
    """Every attachment sha256 referenced in a case's data (``lampiran`` lists)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "lampiran" and isinstance(value, list):
                found.update(str(v.get("sha256")) for v in value if isinstance(v, dict))
            else:
                found |= references(value)
    elif isinstance(data, list):
        for value in data:
            found |= references(value)
    return found


def ensure_cited_only(data: dict[str, Any], allowed: set[str] | frozenset[str],
                      more: Iterable[dict[str, Any]] = ()) -> None:
    """Refuse data citing a file outside ``allowed`` (and the data of ``more``, read lazily);
    the same answer whether the file exists elsewhere or not."""
    cited = references(data) - allowed
    if cited:
        cited -= references(list(more))
    if cited:
        raise InvalidTaskData("unknown attachment", errors={"lampiran": [UNKNOWN]})
