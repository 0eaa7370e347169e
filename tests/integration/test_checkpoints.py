"""Signed store-wide checkpoints on the real stores: after a checkpoint, raw-SQL tampering of
any record in its range is found by ``alur audit verify --against`` (naming the record), while
legitimate appends still verify; forged checkpoints and other keys are refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from alur.bootstrap import Services
from alur.cli import main
from alur.config import Config
from orchestrator.anchoring import CheckpointKey, generate_key_text
from orchestrator.audit import Auditor
from orchestrator.checkpoint_store import append_line, read_lines
from orchestrator.checkpoints import AnchorMismatch
from orchestrator.users import user_id
from tests.integration.rawstore import RawStore
from tests.integration.tamper import delete_stream, rechain, truncate
from tests.integration.test_chain_verification import walked_case

Tamper = Callable[[Services, RawStore, UUID, UUID], tuple[UUID, int]]


def notification_of(services: Services, stream: UUID, version: int) -> int:
    """The notification id of one stored event."""
    (record,) = [n for n in services.orchestrator.recorder.select_notifications(1, 100_000)
                 if n.originator_id == stream and n.originator_version == version]
    return record.id


def verify_against(config: Config, capsys: pytest.CaptureFixture, *extra: str
                   ) -> tuple[int, str]:
    code = main(["audit", "verify", "--against", str(config.checkpoint_path), *extra], config)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _truncate_tail(services: Services, raw: RawStore, a: UUID, b: UUID) -> tuple[UUID, int]:
    truncate(raw, a, keep=6)
    return a, 7


def _rewrite_last(services: Services, raw: RawStore, a: UUID, b: UUID) -> tuple[UUID, int]:
    last = max(raw.states(a))
    rechain(services, raw, a, last, {"timestamp": datetime(2020, 1, 1, tzinfo=UTC)})
    assert Auditor(services.orchestrator).verify(a).ok  # nothing records the last hash
    return a, last


def _rechain(services: Services, raw: RawStore, a: UUID, b: UUID) -> tuple[UUID, int]:
    rechain(services, raw, a, 4, {"data": {"catatan": "tidak pernah ditulis"}})
    assert Auditor(services.orchestrator).verify(a).ok  # the chain alone cannot tell
    return a, 4


def _delete_case(services: Services, raw: RawStore, a: UUID, b: UUID) -> tuple[UUID, int]:
    delete_stream(raw, b)
    return b, 1


def _alter_a_user(services: Services, raw: RawStore, a: UUID, b: UUID) -> tuple[UUID, int]:
    stream = user_id("sekretaris")
    state = raw.states(stream)[1]
    raw.set_state(stream, 1, state.replace(b"Demo", b"Dema", 1))
    return stream, 1


@pytest.mark.parametrize("tamper, problem", [
    (_truncate_tail, "removed"), (_rewrite_last, "altered"), (_rechain, "altered"),
    (_delete_case, "removed"), (_alter_a_user, "altered"),
], ids=["truncated tail", "rewritten last event", "re-chained case", "deleted case",
        "altered user record"])
def test_tampering_after_a_checkpoint_is_found_and_named(
        services: Services, config: Config, capsys: pytest.CaptureFixture, tamper: Tamper,
        problem: str) -> None:
    a, b = walked_case(services), walked_case(services, steps=1)
    assert main(["audit", "checkpoint"], config) == 0
    assert verify_against(config, capsys)[0] == 0
    stream, version = tamper(services, RawStore(config), a, b)
    code, output = verify_against(config, capsys)
    assert code == 1, output
    first = next(line for line in output.splitlines() if "first difference" in line)
    # notification id → originator and version, as the checkpoint saw them
    expected = f"→ {stream} v{version} "
    assert expected in first and f": {problem}" in first, output
    assert "BROKEN" in output


def test_a_shorter_log_says_so(services: Services, config: Config,
                               capsys: pytest.CaptureFixture) -> None:
    a = walked_case(services)
    services.anchor().write()
    truncate(RawStore(config), a, keep=5)
    code, output = verify_against(config, capsys)
    assert code == 1 and "the log is now shorter" in output, output
    assert "4 record(s) differ, in 1 stream(s)" in output, output


def test_legitimate_appends_after_a_checkpoint_extend_it(
        services: Services, config: Config, capsys: pytest.CaptureFixture) -> None:
    walked_case(services)
    first = services.anchor().write()
    assert first is not None
    walked_case(services, steps=2)
    code, output = verify_against(config, capsys)
    assert code == 0 and "extending it" in output, output
    second = services.anchor().write(only_if_grown=True)
    assert second is not None and second.head.size > first.head.size
    assert services.anchor().write(only_if_grown=True) is None  # nothing new: no line
    assert [c.head.size for c in read_lines(config.checkpoint_path)] == \
        [first.head.size, second.head.size]
    for line in ("1", "2", "-1"):
        assert verify_against(config, capsys, "--line", line)[0] == 0
    # the second checkpoint hashed only what was new: it agrees with a full recomputation
    assert services.anchor().check(second).ok


def test_a_forged_checkpoint_is_refused(services: Services, config: Config,
                                        capsys: pytest.CaptureFixture) -> None:
    walked_case(services)
    checkpoint = services.anchor().write()
    assert checkpoint is not None
    path = config.checkpoint_path
    line = json.loads(path.read_text().splitlines()[-1])
    path.write_text(json.dumps({**line, "size": line["size"] - 1}) + "\n")
    code, output = verify_against(config, capsys)
    assert code == 2 and "forged or altered" in output, output


def test_a_checkpoint_from_another_key_is_refused(services: Services, config: Config,
                                                  capsys: pytest.CaptureFixture) -> None:
    walked_case(services)
    ours = services.anchor().write()
    assert ours is not None
    theirs = CheckpointKey.from_base64(generate_key_text()).sign(ours.head)
    append_line(config.checkpoint_path, theirs)
    code, output = verify_against(config, capsys)
    assert code == 2 and "signed by another key" in output, output
    # the same file with the other public key: the signature holds, so it is checked
    code, output = verify_against(config, capsys, "--public-key", theirs.public_key)
    assert code == 0, output


def test_a_new_checkpoint_never_signs_over_a_rewritten_log(
        services: Services, config: Config, capsys: pytest.CaptureFixture) -> None:
    a = walked_case(services)
    services.anchor().write()
    raw = RawStore(config)
    rechain(services, raw, a, 4, {"data": {"catatan": "tidak pernah ditulis"}})
    walked_case(services, steps=1)
    services.anchor().write()  # from the stored frontier: the rewritten records are not reread
    code, output = verify_against(config, capsys)
    assert code == 1 and f"→ {a} v4 " in output, output
    # emptying the checkpoint table does not help: the file's last line must be extended
    _sql(config, "DELETE FROM {checkpoints}")
    with pytest.raises(AnchorMismatch, match="no longer extends the last checkpoint"):
        services.anchor().write()
    assert main(["audit", "checkpoint"], config) == 2
    assert "no longer extends" in capsys.readouterr().err


def test_an_altered_frontier_or_leaf_index_is_noticed(
        services: Services, config: Config, capsys: pytest.CaptureFixture) -> None:
    a = walked_case(services)
    services.anchor().write()
    _sql(config, "UPDATE {leaves} SET state_sha256 = '00' || substr(state_sha256, 3)")
    raw = RawStore(config)
    raw.set_state(a, 2, raw.states(a)[2].replace(b"{", b"{ ", 1))
    code, output = verify_against(config, capsys)
    assert code == 1 and "cannot be named" in output, output
    _sql(config, "UPDATE {checkpoints} SET frontier = '[]'")
    with pytest.raises(Exception, match="frontier"):
        services.anchor().write()


def test_an_empty_log_and_a_missing_file(config: Config, capsys: pytest.CaptureFixture,
                                         tmp_path: Path) -> None:
    assert main(["audit", "checkpoint"], config) == 0
    assert verify_against(config, capsys)[0] == 0
    missing = tmp_path / "nowhere.jsonl"
    assert main(["audit", "verify", "--against", str(missing)], config) == 2
    assert "no checkpoint file" in capsys.readouterr().err
    assert main(["audit", "verify", "--against", str(config.checkpoint_path), "--line", "9"],
                config) == 2
    assert "holds checkpoints 1..1, not 9" in capsys.readouterr().err


def test_demo_generates_a_checkpoint_key_once_production_requires_it(tmp_path: Path) -> None:
    demo = Config(data_dir=tmp_path)
    key = demo.resolved_checkpoint_key()
    assert CheckpointKey.from_base64(key) and demo.resolved_checkpoint_key() == key
    assert Config(data_dir=tmp_path / "p", env="production").resolved_checkpoint_key() == ""
    env = {"ALUR_CHECKPOINT_KEY": key, "ALUR_CHECKPOINT_FILE": str(tmp_path / "c.jsonl"),
           "ALUR_CHECKPOINT_INTERVAL": "60"}
    config = Config.from_env(env)
    assert (config.checkpoint_key, config.checkpoint_path, config.checkpoint_interval) == \
        (key, tmp_path / "c.jsonl", 60.0)
    assert Config(data_dir=tmp_path).checkpoint_path == tmp_path / "checkpoints.jsonl"


def _sql(config: Config, statement: str) -> None:
    """Raw SQL on the checkpoint tables (as someone with database access could)."""
    raw = RawStore(config)
    raw._execute(statement.format(checkpoints="alur_checkpoints",
                                  leaves="alur_checkpoint_leaves"))

