"""Cases in the real event store: snapshots, history, versions, hash chain."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from alur.bootstrap import Services, bootstrap
from orchestrator.case import Case
from orchestrator.commands import Actor, ClaimTask, CompleteTask, ReleaseTask, StartCase
from orchestrator.errors import StaleCaseVersion
from orchestrator.hashchain import GENESIS, event_hash
from tests.starts import complaint
from tools.form_samples import sample

ALL = Actor("tester", frozenset({"pelapor", "admin", "sekretaris", "unit_pengaduan",
                                  "rapat_pleno"}))


def first_step(app: object, case_id: UUID, **answer: str) -> dict[str, object]:
    """Valid data for the case's one open task (SOP 9.3 row 1 asks for the report)."""
    (task,) = app.get_case(case_id).open_tasks.values()
    return sample(task.form, overrides=answer)


def test_loading_a_long_case_uses_snapshots_and_equals_replay(services: Services) -> None:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(), ALL)).case_id
    task = UUID(next(iter(app.get_case(case_id).open_tasks)))
    for _ in range(30):  # claim/release pairs: 60 events, past the snapshot interval of 50
        app.claim_task(ClaimTask(case_id, task, ALL))
        app.release_task(ReleaseTask(case_id, task, ALL))
    assert list(app.snapshots.get(case_id)), "a snapshot should have been taken at version 50"
    loaded = app.get_case(case_id)
    replayed = None
    for event in app.events.get(case_id):
        replayed = event.mutate(replayed)
    assert loaded.version == replayed.version == 63  # started, deadline, activated + 60
    assert loaded.head_hash == replayed.head_hash
    app.complete_task(CompleteTask(case_id, task, ALL, first_step(app, case_id)))
    assert app.get_case(case_id).open_tasks  # the engine state survived the snapshot


def test_case_as_it_stood_after_event_n(services: Services) -> None:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(), ALL)).case_id
    first = next(iter(app.get_case(case_id).open_tasks))
    data = first_step(app, case_id, catatan="ok")
    app.complete_task(CompleteTask(case_id, UUID(first), ALL, data))
    at_two = app.get_case(case_id, version=3)  # started, deadline set, task activated
    assert list(at_two.open_tasks) == [first]
    now = app.get_case(case_id)
    assert first not in now.open_tasks and now.data == {**complaint(), **data}


def test_stale_expected_version_is_refused(services: Services) -> None:
    app = services.orchestrator
    result = app.start_case(StartCase("sop_9_3", complaint(), ALL))
    task = UUID(next(iter(app.get_case(result.case_id).open_tasks)))
    with pytest.raises(StaleCaseVersion):
        app.claim_task(ClaimTask(result.case_id, task, ALL, expected_version=result.version - 1))
    assert app.get_case(result.case_id).version == result.version


def test_two_writers_of_the_same_version_conflict(services: Services) -> None:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(), ALL)).case_id
    first, second = app.get_case(case_id), app.get_case(case_id)
    task = UUID(next(iter(first.open_tasks)))
    first.claim(task, ALL)
    second.claim(task, Actor("other", ALL.roles))
    app.save(first)
    with pytest.raises(StaleCaseVersion):
        app._save(second)  # the store's unique (id, version) is the guard
    assert app.get_case(case_id).open_tasks[str(task)].claimed_by == "tester"


def test_every_event_links_to_its_predecessor(services: Services) -> None:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(), ALL)).case_id
    task = UUID(next(iter(app.get_case(case_id).open_tasks)))
    app.complete_task(CompleteTask(case_id, task, ALL, first_step(app, case_id)))
    events = app.case_events(case_id)
    previous = GENESIS
    for event in events:
        assert isinstance(event, Case.Event)
        assert event.prev_hash == previous
        previous = event_hash(get_topic(type(event)), event.__dict__)
    assert app.get_case(case_id).head_hash == previous


def test_simultaneous_starts_all_succeed_with_gap_free_numbers(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every start takes the next number from one counter stream. Threads of one process
    take turns per register, so none is redone; between processes the store decides and
    the loser retries (tests/integration/test_scale_out.py)."""
    app = services.orchestrator
    barrier = threading.Barrier(12)
    retries: list[int] = []
    monkeypatch.setattr("orchestrator.application.back_off", retries.append)

    def start(i: int) -> str:
        barrier.wait()
        case_id = app.start_case(StartCase(
            "sop_9_3", complaint(subjek=f"serentak {i}"), ALL)).case_id
        return app.get_case(case_id).registration

    with ThreadPoolExecutor(12) as pool:
        numbers = list(pool.map(start, range(12)))
    assert sorted(int(n.split("/")[1]) for n in numbers) == list(range(1, 13))
    assert retries == []


def test_a_cached_case_follows_what_another_process_wrote(services: Services) -> None:
    """Two processes, each with its aggregate cache: a load always reflects the store."""
    other = bootstrap(services.config)
    here, there = services.orchestrator, other.orchestrator
    try:
        case_id = here.start_case(StartCase("sop_9_3", complaint(subjek="cache"), ALL)).case_id
        task = UUID(next(iter(here.get_case(case_id).open_tasks)))  # cached here at version 3
        there.claim_task(ClaimTask(case_id, task, ALL))
        there.release_task(ReleaseTask(case_id, task, ALL))
        there.complete_task(CompleteTask(case_id, task, ALL, first_step(there, case_id)))
        assert here.get_case(case_id).version == there.get_case(case_id).version == 7
        with pytest.raises(StaleCaseVersion):  # a stale command is still refused here
            here.claim_task(ClaimTask(case_id, task, ALL, expected_version=3))
    finally:
        other.close()


def test_a_saved_case_is_cached_as_saved(services: Services) -> None:
    """Saving caches a copy at the new version, so the next load reads no old events (and a
    later change to the caller's object does not reach the cache)."""
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(subjek="cache"), ALL)).case_id
    case = app.get_case(case_id)
    task = UUID(next(iter(case.open_tasks)))
    case.claim(task, ALL)
    app.save(case)
    case.data["changed after saving"] = True
    cached = app.repository.cache.get(case_id)
    assert cached is not case and cached.version == case.version
    assert "changed after saving" not in app.get_case(case_id).data
