"""Completing a task with uploaded files, for the API (multipart) and the task page alike:
the files are staged, the completion may cite them, and they enter the attachment store only
once the completion is saved."""

from __future__ import annotations

import json
from typing import IO, Any
from uuid import UUID

from flask import request

from api.attachments import SHA256, AttachmentStore, Limits
from api.auth import services
from orchestrator.commands import Actor, CommandResult, CompleteTask
from orchestrator.errors import InvalidInput

LIMITS = Limits(max_files=5, max_file_bytes=10 * 1024 * 1024)
MAX_BODY = LIMITS.max_files * LIMITS.max_file_bytes + 1024 * 1024
ATTACHMENTS = "lampiran"


def attachment_store() -> AttachmentStore:
    return AttachmentStore(services().config.data_dir / "lampiran")


def complete_with_files(case_id: UUID, task_id: UUID, actor: Actor, data: dict[str, Any],
                        files: list[tuple[IO[bytes], str]],
                        version: int | None = None, signed_of: str = "") -> CommandResult:
    """Complete the task with ``data`` plus the uploads (appended to its ``lampiran``);
    with ``signed_of`` (a letter's sha256) the one upload is that letter's signed version."""
    cited = data.get(ATTACHMENTS) or []
    if not isinstance(cited, list):
        raise InvalidInput("lampiran must be a list", errors={ATTACHMENTS: ["harus daftar"]})
    with attachment_store().stage(files, LIMITS) as staged:
        if staged.references:
            data = {**data, ATTACHMENTS: [*cited, *staged.references]}
        result = services().orchestrator.complete_task(
            CompleteTask(case_id, task_id, actor, data, version, signed_of),
            uploaded=staged.hashes)
        staged.commit()
    return result


SIGNED_OF = "ttd_untuk"


def multipart_completion() -> tuple[dict[str, Any], list[tuple[IO[bytes], str]], int | None]:
    """(data, files, case_version) of a multipart completion: the form's data as JSON in
    the part ``data``, files under ``lampiran``, optionally ``case_version`` (and
    ``ttd_untuk``, read by :func:`signed_of`)."""
    request.max_content_length = MAX_BODY
    if not request.mimetype == "multipart/form-data":
        raise InvalidInput("send multipart/form-data: data (JSON) and lampiran (files)")
    try:
        data = json.loads(request.form.get("data") or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput("data must be a JSON object", errors={"data": ["JSON object"]})
    version = request.form.get("case_version")
    if version is not None and not version.isdigit():
        raise InvalidInput("case_version must be a number", errors={"case_version": ["angka"]})
    files = [(f.stream, f.filename or "") for f in request.files.getlist(ATTACHMENTS)]
    return data, files, int(version) if version is not None else None


def signed_of() -> str:
    """The multipart part ``ttd_untuk``: the sha256 of a letter of the case whose signed
    version is the upload (empty when the upload signs nothing)."""
    value = (request.form.get(SIGNED_OF) or "").strip().lower()
    if value and not SHA256.fullmatch(value):
        raise InvalidInput("ttd_untuk must be a sha256", errors={SIGNED_OF: ["64 digit hex"]})
    return value
