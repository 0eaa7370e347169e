"""Store-wide tamper evidence: an RFC 6962 Merkle tree over every stored record, whose tree
head is signed with Ed25519 by a key kept apart from the database.

Pure code (no store): leaf encoding, the tree's right frontier (so that a new checkpoint hashes
only the records stored since the last one), and signed checkpoints as JSON lines. A case's own
hash chain has no secret; a signed head does: a rewrite of any record in the range, a record
removed (a truncated case, a deleted case) or a forged one put in between changes the root, and
nobody without the key can sign the new one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from orchestrator.errors import AlurError

FORMAT = "alur-checkpoint/v1"
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 6962: the hash of an empty tree
_NUMBERS, _LENGTH = struct.Struct(">QQH"), struct.Struct(">H")  # id, version, length; length


class BadCheckpoint(AlurError):
    """A checkpoint that cannot be trusted: malformed, another key, or a forged signature."""


def leaf_data(notification_id: int, originator_id: str, originator_version: int, topic: str,
              state: bytes) -> bytes:
    """One stored record as leaf bytes: fixed-width numbers, length-prefixed text, and the
    SHA-256 of the stored state (binds the state as the state itself would, and lets the
    checkpoint store keep a leaf index that recomputes the same root)."""
    return leaf_data_from_digest(notification_id, originator_id, originator_version, topic,
                                 hashlib.sha256(state).digest())


def leaf_data_from_digest(notification_id: int, originator_id: str, originator_version: int,
                          topic: str, state_sha256: bytes) -> bytes:
    """``leaf_data`` from the state's digest (as the leaf index keeps it)."""
    originator, topic_bytes = originator_id.encode("utf-8"), topic.encode("utf-8")
    return (_NUMBERS.pack(notification_id, originator_version, len(originator)) + originator
            + _LENGTH.pack(len(topic_bytes)) + topic_bytes + state_sha256)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass
class Frontier:
    """The roots of the perfect subtrees that make up a tree of ``size`` leaves, largest
    first: enough to append leaves and compute the root without the leaves themselves."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.hashes) != bin(self.size).count("1"):
            raise BadCheckpoint(f"a frontier of {self.size} leaves has "
                                f"{bin(self.size).count('1')} hashes, not {len(self.hashes)}")

    def append(self, leaf: bytes) -> None:
        self.hashes.append(leaf)
        self.size += 1
        n = self.size
        while n % 2 == 0:  # like a binary counter: equal-height subtrees merge
            right, left = self.hashes.pop(), self.hashes.pop()
            self.hashes.append(node_hash(left, right))
            n //= 2

    def root(self) -> bytes:
        """RFC 6962 Merkle tree hash of the leaves appended so far."""
        if not self.hashes:
            return EMPTY_ROOT
        root = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            root = node_hash(left, root)
        return root

    def copy(self) -> Frontier:
        return Frontier(self.size, list(self.hashes))

    def to_json(self) -> str:
        return json.dumps([h.hex() for h in self.hashes])

    @classmethod
    def from_json(cls, size: int, text: str) -> Frontier:
        try:
            return cls(size, [bytes.fromhex(h) for h in json.loads(text)])
        except (ValueError, TypeError) as exc:
            raise BadCheckpoint(f"unreadable frontier: {exc}") from exc


@dataclass(frozen=True)
class TreeHead:
    """What a checkpoint signs: how many records, the last one's notification id, the root."""

    size: int
    last_id: int  # 0 for an empty log
    root: str  # hex
    time: str  # ISO 8601, WITA

    def message(self) -> bytes:
        body = {"size": self.size, "last_id": self.last_id, "root": self.root, "time": self.time}
        return f"{FORMAT}\n".encode() + json.dumps(body, sort_keys=True,
                                                   separators=(",", ":")).encode()


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head, with the public key that verifies it."""

    head: TreeHead
    public_key: str  # base64 of the raw 32-byte Ed25519 public key
    signature: str  # base64

    def to_json(self) -> str:
        """One line of the checkpoint file."""
        head = self.head
        return json.dumps({"format": FORMAT, "size": head.size, "last_id": head.last_id,
                           "root": head.root, "time": head.time,
                           "public_key": self.public_key, "signature": self.signature},
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Checkpoint:
        try:
            data: dict[str, Any] = json.loads(line)
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, not {FORMAT!r}")
            head = TreeHead(int(data["size"]), int(data["last_id"]), str(data["root"]),
                            str(data["time"]))
            return cls(head, str(data["public_key"]), str(data["signature"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BadCheckpoint(f"not a checkpoint: {exc}") from exc


class CheckpointKey:
    """The Ed25519 key that signs tree heads (``ALUR_CHECKPOINT_KEY``)."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = public_key_text(private_key.public_key())

    @classmethod
    def from_base64(cls, text: str) -> CheckpointKey:
        raw = _b64(text, "ALUR_CHECKPOINT_KEY")
        if len(raw) != 32:
            raise BadCheckpoint(f"ALUR_CHECKPOINT_KEY must be 32 bytes, not {len(raw)}")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def sign(self, head: TreeHead) -> Checkpoint:
        signature = self._key.sign(head.message())
        return Checkpoint(head, self.public_key, base64.b64encode(signature).decode("ascii"))


def generate_key_text() -> str:
    """A new private key as ``ALUR_CHECKPOINT_KEY`` expects it."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw,
                                                     NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def verify_signature(checkpoint: Checkpoint, trusted_public_key: str) -> None:
    """Raise BadCheckpoint unless ``checkpoint`` is signed by the trusted key."""
    if checkpoint.public_key != trusted_public_key:
        raise BadCheckpoint(f"the checkpoint is signed by another key ({checkpoint.public_key}),"
                            f" not ours ({trusted_public_key})")
    raw = _b64(trusted_public_key, "public key")
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(
            _b64(checkpoint.signature, "signature"), checkpoint.head.message())
    except (InvalidSignature, ValueError) as exc:
        raise BadCheckpoint("the checkpoint's signature does not match its tree head "
                            f"(size {checkpoint.head.size}): forged or altered") from exc


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadCheckpoint(f"{what} is not base64: {exc}") from exc
