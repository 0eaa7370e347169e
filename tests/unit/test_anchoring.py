"""The Merkle tree and signed checkpoints without a store: RFC 6962 test vectors, the frontier
against the recursive definition, and signatures refused when forged or from another key."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

import pytest

from orchestrator.anchoring import (
    EMPTY_ROOT,
    BadCheckpoint,
    Checkpoint,
    CheckpointKey,
    Frontier,
    TreeHead,
    generate_key_text,
    leaf_data,
    leaf_hash,
    node_hash,
    verify_signature,
)

# the leaves and roots of the RFC 6962 reference tests (certificate-transparency)
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          b"\x50\x51\x52\x53\x54\x55\x56\x57", bytes(range(0x60, 0x70))]
ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]


def recursive_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, as written."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(recursive_root(leaves[:k]), recursive_root(leaves[k:]))


def test_the_frontier_gives_the_rfc_6962_roots() -> None:
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT
    for leaf, root in zip(LEAVES, ROOTS, strict=True):
        frontier.append(leaf_hash(leaf))
        assert frontier.root().hex() == root


def test_the_frontier_matches_the_recursive_definition_and_survives_a_round_trip() -> None:
    leaves = [f"record {n}".encode() for n in range(70)]
    frontier = Frontier()
    for n, leaf in enumerate(leaves, start=1):
        frontier.append(leaf_hash(leaf))
        assert frontier.root() == recursive_root(leaves[:n])
        assert len(frontier.hashes) == bin(n).count("1")  # O(log n) kept, not the leaves
        assert Frontier.from_json(n, frontier.to_json()).root() == frontier.root()
    with pytest.raises(BadCheckpoint):
        Frontier.from_json(5, frontier.to_json())  # 70 has three subtrees, 5 has two


def test_leaf_data_is_unambiguous() -> None:
    a = leaf_data(1, "ab", 1, "c", b"state")
    assert a != leaf_data(1, "a", 1, "bc", b"state")  # lengths are part of the encoding
    assert a != leaf_data(2, "ab", 1, "c", b"state") != leaf_data(1, "ab", 2, "c", b"state")
    assert a != leaf_data(1, "ab", 1, "c", b"statf")


def test_a_signed_head_verifies_and_round_trips_as_a_line() -> None:
    key = CheckpointKey.from_base64(generate_key_text())
    checkpoint = key.sign(TreeHead(8, 42, ROOTS[-1], "2026-11-24T08:15:00+08:00"))
    again = Checkpoint.from_json(checkpoint.to_json())
    assert again == checkpoint
    verify_signature(again, key.public_key)


@pytest.mark.parametrize("change", [{"size": 7}, {"last_id": 41}, {"root": ROOTS[0]},
                                    {"time": "2026-11-24T08:16:00+08:00"}])
def test_a_changed_head_is_a_forged_signature(change: dict[str, object]) -> None:
    key = CheckpointKey.from_base64(generate_key_text())
    checkpoint = key.sign(TreeHead(8, 42, ROOTS[-1], "2026-11-24T08:15:00+08:00"))
    forged = dataclasses.replace(checkpoint, head=dataclasses.replace(checkpoint.head, **change))
    with pytest.raises(BadCheckpoint, match="forged"):
        verify_signature(forged, key.public_key)


def test_another_key_is_refused_even_with_a_valid_signature() -> None:
    ours, theirs = (CheckpointKey.from_base64(generate_key_text()) for _ in range(2))
    checkpoint = theirs.sign(TreeHead(1, 1, ROOTS[0], "2026-11-24T08:15:00+08:00"))
    with pytest.raises(BadCheckpoint, match="another key"):
        verify_signature(checkpoint, ours.public_key)
    # claiming our public key does not help: the signature is not ours
    with pytest.raises(BadCheckpoint, match="forged"):
        verify_signature(dataclasses.replace(checkpoint, public_key=ours.public_key),
                         ours.public_key)


@pytest.mark.parametrize("text", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_a_clear_error(text: str) -> None:
    with pytest.raises(BadCheckpoint, match="ALUR_CHECKPOINT_KEY"):
        CheckpointKey.from_base64(text)


@pytest.mark.parametrize("line", ["", "{}", '{"format": "alur-checkpoint/v1", "size": "x"}',
                                  "[1, 2]"])
def test_a_malformed_line_is_not_a_checkpoint(line: str) -> None:
    with pytest.raises(BadCheckpoint, match="not a checkpoint"):
        Checkpoint.from_json(line)
