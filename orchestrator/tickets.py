"""Public tracking tickets: a report's registration number and the hash of its secret code.

The reporter gets the code once; only a salted SHA-256 of it is stored (the code is 128 random
bits, so a fast hash is enough). Checking compares in constant time, and an unknown
registration costs the same compare as a known one, so answers do not reveal which exist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate

_DUMMY_SALT = "0" * 32


def ticket_id(registration: str) -> UUID:
    """The ticket's id, derived from the registration number (one ticket per case)."""
    return uuid5(NAMESPACE_URL, f"alur:ticket:{registration.strip().upper()}")


def new_code() -> str:
    """A fresh tracking code: 128 random bits, grouped for reading aloud (e.g. XXXX-XXXX-…)."""
    raw = secrets.token_hex(16).upper()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normal_code(code: str) -> str:
    """A code as issued (upper case, dashes every four characters), however it was typed:
    lower case, without dashes, with spaces."""
    raw = re.sub(r"[^0-9A-Z]", "", code.upper())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def code_hash(salt: str, code: str) -> str:
    """The stored form of a code: SHA-256 over salt and the normalised code."""
    return hashlib.sha256(f"{salt}:{normal_code(code)}".encode()).hexdigest()


class PublicTicket(ChainedAggregate):
    """The public's handle on one case started from the portal."""

    @staticmethod
    def create_id(registration: str, **_: object) -> UUID:
        return ticket_id(registration)

    @event("Issued")
    def __init__(self, registration: str, case_id: str, kind: str, salt: str,
                 code_sha256: str) -> None:
        self.registration = registration
        self.case_id = case_id
        self.kind = kind
        self.salt = salt
        self.code_sha256 = code_sha256

    @classmethod
    def issue(cls, registration: str, case_id: UUID, kind: str) -> tuple[PublicTicket, str]:
        """A new ticket and its code in clear (to be shown once, never stored)."""
        code = new_code()
        salt = secrets.token_hex(16)
        ticket = cls(registration=registration, case_id=str(case_id), kind=kind, salt=salt,
                     code_sha256=code_hash(salt, code))
        return ticket, code

    @classmethod
    def sharing(cls, ticket: PublicTicket, registration: str, case_id: UUID,
                kind: str) -> PublicTicket:
        """A ticket for a case that continues ``ticket``'s (the requester's objection): the
        same code opens it, so the requester keeps one secret; no code in clear anywhere."""
        return cls(registration=registration, case_id=str(case_id), kind=kind,
                   salt=ticket.salt, code_sha256=ticket.code_sha256)

    def matches(self, code: str) -> bool:
        """Whether the code is this ticket's (constant-time compare)."""
        return hmac.compare_digest(code_hash(self.salt, code), self.code_sha256)


def dummy_check(code: str) -> bool:
    """The same work as ``matches`` for a registration that has no ticket; always False."""
    hmac.compare_digest(code_hash(_DUMMY_SALT, code), "f" * 64)
    return False
