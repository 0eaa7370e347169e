"""Attachments stored content-addressed on disk: ``<data dir>/lampiran/ab/<sha256>``.

Events carry only references (``{"nama", "sha256", "ukuran"}``), never the bytes: the engine
copies task data into every task, and a document's hash is what the audit trail needs.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from orchestrator.errors import InvalidInput

ALLOWED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx",
                    ".odt", ".ods", ".txt")
SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """How many files and how large, per request."""

    max_files: int = 5
    max_file_bytes: int = 5 * 1024 * 1024


def safe_name(filename: str) -> str:
    """A display name without directories or control characters (kept short)."""
    name = os.path.basename(filename.replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*')
    return name[-120:] or "lampiran"


class AttachmentStore:
    """Files by their SHA-256 under one directory; writing the same bytes twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise InvalidInput("not a sha256", errors={"sha256": ["64 hex digits"]})
        return self.root / sha256[:2] / sha256

    def save(self, stream: IO[bytes], filename: str, limit: int) -> dict[str, object]:
        """Store one upload; the reference to put into case data."""
        name = safe_name(filename)
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            raise InvalidInput("file type not accepted", errors={"lampiran": [
                f"{name}: jenis berkas tidak diterima ({', '.join(ALLOWED_SUFFIXES)})"]})
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=self.root, delete=False) as tmp:
            try:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise InvalidInput("file too large", errors={"lampiran": [
                            f"{name}: lebih dari {limit // (1024 * 1024)} MB"]})
                    digest.update(chunk)
                    tmp.write(chunk)
            except BaseException:
                tmp.close()
                os.unlink(tmp.name)
                raise
        if size == 0:
            os.unlink(tmp.name)
            raise InvalidInput("empty file", errors={"lampiran": [f"{name}: berkas kosong"]})
        target = self.path(digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp.name, target)
        return {"nama": name, "sha256": digest.hexdigest(), "ukuran": size}

    def save_all(self, files: list[tuple[IO[bytes], str]],
                 limits: Limits) -> list[dict[str, object]]:
        """Store several uploads (empty file inputs skipped), within the limits."""
        files = [(s, n) for s, n in files if n]
        if len(files) > limits.max_files:
            raise InvalidInput("too many files", errors={"lampiran": [
                f"paling banyak {limits.max_files} berkas"]})
        return [self.save(stream, name, limits.max_file_bytes) for stream, name in files]


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
