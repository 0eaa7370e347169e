"""Sealing a reporter's identity: split it from the case data, keep it only AES-GCM encrypted.

WBS and gratifikasi reporters are protected: their identity and contact (start-data key
``pelapor`` and every key beginning with ``pelapor_``) never enter an event in clear. The
ciphertext is bound to its case (associated data), so it cannot be moved to another case.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from orchestrator.errors import AlurError

REDACTED = "[disamarkan]"
REPORTER_KEY = "pelapor"
_FORMAT = "v1"  # prefix of every sealed value, so that a later key or cipher can be told apart


class SealingUnavailable(AlurError):
    """No sensitive key is configured (ALUR_SENSITIVE_KEY), or it cannot open a sealed value."""


def is_reporter_key(key: str) -> bool:
    return key == REPORTER_KEY or key.startswith(f"{REPORTER_KEY}_")


def split_reporter(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(data without the reporter's identity, the reporter's identity and contact)."""
    public = {k: v for k, v in data.items() if not is_reporter_key(k)}
    reporter = {k: v for k, v in data.items() if is_reporter_key(k)}
    return public, reporter


def decode_key(text: str) -> bytes:
    """A base64-encoded 32-byte AES key, or ValueError."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("ALUR_SENSITIVE_KEY must be base64 of 32 bytes") from None
    if len(key) != 32:
        raise ValueError(f"ALUR_SENSITIVE_KEY must be 32 bytes, got {len(key)}")
    return key


class Sealer:
    """AES-256-GCM over the reporter's JSON, with the case id as associated data."""

    def __init__(self, key: bytes | None) -> None:
        self._aead = AESGCM(key) if key else None

    def seal(self, case_id: UUID, reporter: dict[str, Any]) -> str:
        """The sealed value stored in CaseStarted; empty for an anonymous report."""
        if not reporter:
            return ""
        nonce = os.urandom(12)
        plain = json.dumps(reporter, ensure_ascii=False, sort_keys=True).encode("utf-8")
        cipher = self._cipher().encrypt(nonce, plain, _aad(case_id))
        return f"{_FORMAT}:{base64.b64encode(nonce + cipher).decode('ascii')}"

    def open(self, case_id: UUID, sealed: str) -> dict[str, Any]:
        """The reporter's identity in clear ({} for an anonymous report)."""
        if not sealed:
            return {}
        version, _, body = sealed.partition(":")
        if version != _FORMAT:
            raise SealingUnavailable(f"unknown sealing format '{version}'")
        raw = base64.b64decode(body)
        try:
            plain = self._cipher().decrypt(raw[:12], raw[12:], _aad(case_id))
        except InvalidTag:
            raise SealingUnavailable(
                "the reporter's identity cannot be opened with the configured key") from None
        return json.loads(plain)

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            raise SealingUnavailable(
                "sensitive processes need ALUR_SENSITIVE_KEY (base64 of 32 bytes)")
        return self._aead


def _aad(case_id: UUID) -> bytes:
    return f"alur:reporter:{case_id}".encode("ascii")
