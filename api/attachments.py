"""Attachments stored content-addressed on disk: ``<data dir>/lampiran/ab/<sha256>``.

Events carry only references (``{"nama", "sha256", "ukuran"}``), never the bytes: the engine
copies task data into every task, and a document's hash is what the audit trail needs.
Uploads are staged first (``<data dir>/lampiran/.staging``) and enter the store only after
the command that cites them was saved: a refused report or a failed completion keeps nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from orchestrator.errors import InvalidInput
from orchestrator.references import references

__all__ = ["ALLOWED_SUFFIXES", "AttachmentStore", "Limits", "Staged", "cited_items",
           "download_type", "references", "safe_name"]
ALLOWED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx",
                    ".odt", ".ods", ".txt")
# what a download is served as, by the suffix of its name; anything else is just bytes
DOWNLOAD_TYPES = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".png": "image/png", ".txt": "text/plain", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
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


def download_type(name: str) -> str:
    """The Content-Type of a download: whitelisted by suffix, else application/octet-stream
    (never HTML or SVG, whatever a reference calls the file)."""
    return DOWNLOAD_TYPES.get(os.path.splitext(name.lower())[1], "application/octet-stream")


def cited_items(sources: list[Any]) -> dict[str, dict[str, Any]]:
    """Every attachment reference in these data, by sha256 (the first name cited wins)."""
    found: dict[str, dict[str, Any]] = {}
    for source in (s for s in sources if isinstance(s, dict)):
        items = source.get("lampiran")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("sha256"):
                found.setdefault(str(item["sha256"]), item)
    return found


@dataclass
class Staged:
    """Uploads waiting in the staging directory: ``commit`` moves them into the store once
    the command citing them is saved; leaving the ``with`` block deletes whatever is left."""

    store: AttachmentStore
    files: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)

    @property
    def references(self) -> list[dict[str, Any]]:
        return [ref for _, ref in self.files]

    @property
    def hashes(self) -> frozenset[str]:
        return frozenset(str(ref["sha256"]) for _, ref in self.files)

    def commit(self) -> None:
        """Move every staged file to its content address (the same bytes may be there)."""
        for path, ref in self.files:
            target = self.store.path(str(ref["sha256"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        self.files = []

    def discard(self) -> None:
        for path, _ in self.files:
            path.unlink(missing_ok=True)
        self.files = []

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.discard()


class AttachmentStore:
    """Files by their SHA-256 under one directory; writing the same bytes twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / ".staging"

    def path(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise InvalidInput("not a sha256", errors={"sha256": ["64 hex digits"]})
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        """Store ``content`` at its address (atomically; the same bytes twice are one file)."""
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(content)
        os.replace(tmp.name, target)
        return sha256

    def stage(self, files: list[tuple[IO[bytes], str]], limits: Limits) -> Staged:
        """Stage several uploads (empty file inputs skipped), within the limits; on any
        refusal nothing stays behind."""
        files = [(s, n) for s, n in files if n]
        if len(files) > limits.max_files:
            raise InvalidInput("too many files", errors={"lampiran": [
                f"paling banyak {limits.max_files} berkas"]})
        staged = Staged(self)
        try:
            for stream, name in files:
                staged.files.append(self._stage_one(stream, name, limits.max_file_bytes))
        except BaseException:
            staged.discard()
            raise
        return staged

    def _stage_one(self, stream: IO[bytes], filename: str,
                   limit: int) -> tuple[Path, dict[str, Any]]:
        name = safe_name(filename)
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            raise InvalidInput("file type not accepted", errors={"lampiran": [
                f"{name}: jenis berkas tidak diterima ({', '.join(ALLOWED_SUFFIXES)})"]})
        self.staging.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=self.staging, delete=False) as tmp:
            try:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise InvalidInput("file too large", errors={"lampiran": [
                            f"{name}: lebih dari {limit // (1024 * 1024)} MB"]})
                    digest.update(chunk)
                    tmp.write(chunk)
                if size == 0:
                    raise InvalidInput("empty file",
                                       errors={"lampiran": [f"{name}: berkas kosong"]})
            except BaseException:
                tmp.close()
                os.unlink(tmp.name)
                raise
        return Path(tmp.name), {"nama": name, "sha256": digest.hexdigest(), "ukuran": size}
