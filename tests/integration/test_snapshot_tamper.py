"""Snapshots on the real stores: a snapshot rewritten by raw SQL is ignored on load (a new
process shows the truth the events give), and ``alur audit verify`` recomputes every snapshot
from its events and names the one that disagrees or carries no valid MAC."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from alur.bootstrap import Services, bootstrap
from alur.cli import main
from alur.config import Config
from api.app import create_app
from orchestrator.access import access_log_id
from orchestrator.audit import Auditor
from orchestrator.commands import ClaimTask, ReleaseTask, StartCase
from orchestrator.definitions import directory_id
from orchestrator.registration import counter_id
from orchestrator.snapshots import TAG_BYTES, SignedSnapshot
from tests.conftest import Api
from tests.integration.rawstore import RawStore
from tests.integration.test_chain_verification import ALL, walked_case
from tests.integration.test_store_tamper import INSPECTOR, REPORTER, problems
from tests.starts import complaint, wbs_start

SEALED = "orchestrator.snapshots:SealedSnapshot"


@dataclass
class Snapshotted:
    """A stream with a snapshot, how to forge that snapshot, and how a new process must
    still show the truth."""

    stream: UUID
    version: int
    name: str
    forge: Callable[[dict[str, Any]], None]
    shows_truth: Callable[[Services], None]


@contextmanager
def new_process(config: Config) -> Iterator[Services]:
    """Another process on the same store: nothing cached, every aggregate loaded anew."""
    services = bootstrap(config)
    try:
        yield services
    finally:
        services.close()


def edit_snapshot(raw: RawStore, stream: UUID, version: int,
                  change: Callable[[dict[str, Any]], None], topic: str = SEALED,
                  keep_mac: bool = True) -> None:
    """Change a stored snapshot's JSON (its ``state``) and its topic, keeping the MAC its
    bytes end with (or not)."""
    stored_topic, state = raw.snapshots(stream)[version]
    assert stored_topic == SEALED
    body, mac = state[:-TAG_BYTES], state[-TAG_BYTES:]
    record = json.loads(body)
    change(record)
    edited = json.dumps(record, separators=(",", ":")).encode()
    raw.set_snapshot(stream, version, topic, edited + mac if keep_mac else edited)


def long_case(services: Services) -> Snapshotted:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(subjek="Antrian asli"), ALL)).case_id
    task = UUID(next(iter(app.get_case(case_id).open_tasks)))
    for _ in range(24):  # 3 + 48 events: a snapshot at 50
        app.claim_task(ClaimTask(case_id, task, ALL))
        app.release_task(ReleaseTask(case_id, task, ALL))

    def shows_truth(other: Services) -> None:
        api = Api(create_app(other, testing=True).test_client())
        body = api.get(f"/cases/{case_id}", "admin").get_json()
        assert body["data"]["subjek"] == "Antrian asli" and body["case_version"] == 51

    registration = app.get_case(case_id).registration
    return Snapshotted(case_id, 50, f"case {registration}",
                       lambda record: record["state"]["data"].update(subjek="Antrian palsu"),
                       shows_truth)


def busy_access_log(services: Services) -> Snapshotted:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_5", wbs_start(uraian="Dugaan"), REPORTER)).case_id
    for _ in range(99):  # the log opens with event 1: a snapshot at 100
        Auditor(app).record_read(app.get_case(case_id), INSPECTOR, "case")
    log = access_log_id(case_id)

    def shows_truth(other: Services) -> None:
        auditor = Auditor(other.orchestrator)
        auditor.record_read(other.orchestrator.get_case(case_id), INSPECTOR, "case")
        assert auditor.verify_store(log).streams[0].verification.ok  # linked to the true head

    registration = app.get_case(case_id).registration
    return Snapshotted(log, 100, f"access log case {registration}",
                       lambda record: record["state"].update(head_hash="0" * 64), shows_truth)


def busy_counter(services: Services) -> Snapshotted:
    for _ in range(19):  # created, then 19 numbers issued: a snapshot at 20
        walked_case(services, steps=0)
    year = datetime.now(ZoneInfo("Asia/Makassar")).year

    def shows_truth(other: Services) -> None:
        case_id = other.orchestrator.start_case(StartCase("sop_9_3", complaint(), ALL)).case_id
        number = other.orchestrator.get_case(case_id).registration
        assert number == f"9.3/00020/{year}"  # not a second 9.3/00006

    return Snapshotted(counter_id("pengaduan", year), 20, f"registration counter pengaduan {year}",
                       lambda record: record["state"].update(last=5), shows_truth)


def processes_directory(services: Services) -> Snapshotted:
    keys = services.orchestrator.process_keys()  # 31 processes: a snapshot at 20 already

    def shows_truth(other: Services) -> None:
        assert other.orchestrator.process_keys() == keys

    return Snapshotted(directory_id("processes"), 20, "directory processes",
                       lambda record: record["state"].update(names=keys[:3]), shows_truth)


KINDS = [long_case, busy_access_log, busy_counter, processes_directory]


@pytest.mark.parametrize("setup", KINDS, ids=[k.__name__ for k in KINDS])
def test_a_forged_snapshot_is_ignored_on_load_and_named_by_verify(
        services: Services, config: Config, setup: Callable[[Services], Snapshotted],
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    target = setup(services)
    raw = RawStore(config)
    assert raw.snapshots(target.stream)[target.version][0] == SEALED
    assert problems(services) == []
    edit_snapshot(raw, target.stream, target.version, target.forge)  # the old MAC stays
    with caplog.at_level(logging.WARNING, logger="orchestrator.repository"), \
            new_process(config) as other:
        target.shows_truth(other)
    assert "has no valid MAC" in caplog.text
    assert problems(services) == [("snapshot", target.name, target.version,
                                   "snapshot-mismatch")]
    assert main(["audit", "verify"], config) == 1
    assert f"BROKEN: snapshot {target.name} {target.stream} event {target.version} " \
           "(snapshot-mismatch)" in capsys.readouterr().out


def test_a_snapshot_without_its_mac_is_unsigned_and_an_old_unsigned_one_is_legacy(
        services: Services, config: Config, caplog: pytest.LogCaptureFixture) -> None:
    raw, stream = RawStore(config), directory_id("processes")
    intact = raw.snapshots(stream)[20][1]
    edit_snapshot(raw, stream, 20, lambda record: None, keep_mac=False)
    assert problems(services) == [("snapshot", "directory processes", 20, "snapshot-unsigned")]
    # "verified" is never read from the store: the MAC alone decides
    raw.set_snapshot(stream, 20, SEALED, intact)
    edit_snapshot(raw, stream, 20, lambda record: record.update(verified=True), keep_mac=False)
    assert problems(services) == [("snapshot", "directory processes", 20, "snapshot-unsigned")]
    # as the library wrote snapshots before they were signed: trusted by nobody, but sound
    raw.set_snapshot(stream, 20, SEALED, intact)
    edit_snapshot(raw, stream, 20, lambda record: record.pop("verified"),
                  topic="eventsourcing.domain:Snapshot", keep_mac=False)
    report = Auditor(services.orchestrator).verify_store()
    assert report.ok
    assert [(f.kind, f.seq, f.problem) for f in report.findings] == [("snapshot", 20, "legacy")]
    with caplog.at_level(logging.WARNING, logger="orchestrator.repository"), \
            new_process(config) as other:
        assert other.orchestrator.process_keys() == services.orchestrator.process_keys()
    assert "has no valid MAC" in caplog.text


def test_a_snapshot_signed_before_sealing_is_still_trusted_and_checked(
        services: Services, config: Config, caplog: pytest.LogCaptureFixture) -> None:
    """Snapshots written until 2026-12 carry a MAC over their canonical state, in the state
    (``SignedSnapshot``): they load as before, and a change to one is still caught."""
    app, raw = services.orchestrator, RawStore(config)
    stream = directory_id("processes")
    latest = max(raw.snapshots(stream))
    taken = app.snapshot_signer.take(app.repository.get(stream, version=latest))
    signed = SignedSnapshot(originator_id=taken.originator_id,  # type: ignore[call-arg]
                            originator_version=taken.originator_version,
                            timestamp=taken.timestamp, topic=taken.topic, state=taken.state,
                            mac=app.snapshot_signer._mac(taken))
    encoded = app.snapshots.mapper.to_stored_event(signed)
    raw.set_snapshot(stream, taken.originator_version, encoded.topic, encoded.state)
    assert problems(services) == []
    with caplog.at_level(logging.WARNING, logger="orchestrator.repository"), \
            new_process(config) as other:
        assert other.orchestrator.process_keys() == app.process_keys()
    assert "has no valid MAC" not in caplog.text
    state = json.loads(encoded.state)
    state["state"]["names"] = state["state"]["names"][:3]
    raw.set_snapshot(stream, taken.originator_version, encoded.topic,
                     json.dumps(state, separators=(",", ":")).encode())
    assert problems(services) == [("snapshot", "directory processes", taken.originator_version,
                                   "snapshot-mismatch")]


def test_a_snapshot_of_another_service_secret_is_not_trusted(
        services: Services, config: Config) -> None:
    """The MAC key comes from the service secret, which the database does not hold."""
    stranger = Config(data_dir=config.data_dir, database_url=config.database_url,
                      secret_key="another-secret")
    with new_process(stranger) as other:
        found = problems(other)
    assert found and {p[3] for p in found} == {"snapshot-unsigned"}
