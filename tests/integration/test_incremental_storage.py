"""What a version already knows is stored once, and checkpoints are incremental, on both stores.

An activation stores its form and properties by reference to the case's deployed version; a
completion stores what changed in the engine's state since the previous checkpoint. Whatever
reads a case (the aggregate from events or from a snapshot, the projections, the audit views)
sees the same as when everything was stored whole."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from alur.bootstrap import Services, bootstrap
from alur.config import Config
from orchestrator import case as case_module
from orchestrator.audit import Auditor
from orchestrator.case import Case
from orchestrator.commands import Actor, CompleteTask, StartCase
from orchestrator.engine import catalog, pruning
from orchestrator.engine.runtime import compacted, decode, merged

ADMIN = Actor("admin", frozenset({"admin"}))


def decoded(state: str) -> dict[str, Any]:
    return decode(state)



def live_state(services: Services, case: Case) -> dict[str, Any]:
    """What the engine's live workflow of the case serializes to now (left in the cache)."""
    app = services.orchestrator
    model, _ = app.model(case.process_key, case.process_version)
    taken = app.engine.live.take(model, case.checkpoint)
    assert taken is not None, "the last command left its workflow live"
    workflow, parts = taken
    app.engine.live.put(model, case.checkpoint, workflow, parts)
    return decoded(app.engine.checkpoint(workflow))


def test_the_stored_deltas_give_the_engine_state_through_a_rework_loop(
        rework: Services) -> None:
    app = rework.orchestrator
    case_id = app.start_case(StartCase("rework", {}, ADMIN)).case_id
    # past a whole checkpoint, two snapshots (50) and the engine's pruning of the finished
    # rounds (orchestrator/engine/pruning.py: two tasks a round): deltas remove tasks too
    rounds = max(case_module.WHOLE_EVERY + 8, pruning.PRUNE_AT // 2 + 20)
    for number in range(rounds + 1):
        (task_id,) = app.get_case(case_id).open_tasks
        answer = "ya" if number == rounds else "tidak"
        app.complete_task(CompleteTask(case_id, UUID(task_id), ADMIN, {"ok": answer}))
        cached = app.get_case(case_id)
        stored = app.get_case(case_id, version=cached.version)  # snapshot + events, no cache
        assert merged(stored.checkpoint) == merged(cached.checkpoint) == \
            live_state(rework, cached)
    case = app.get_case(case_id)
    assert case.status == "completed"
    events = app.case_events(case_id)
    completions = [e for e in events if isinstance(e, Case.TaskCompleted)]
    whole = [e for e in completions if e.engine_state]
    assert 1 <= len(whole) <= rounds // case_module.WHOLE_EVERY  # one in WHOLE_EVERY
    assert all(e.engine_delta for e in completions if not e.engine_state)
    delta_bytes = sum(len(e.engine_delta) for e in completions)
    assert delta_bytes < sum(len(e.engine_state) for e in whole) * rounds / 4
    assert all(e.form == {} and e.properties == {} for e in events
               if isinstance(e, Case.TaskActivated))
    # snapshots hold the whole state, and agree with the events they summarise
    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(case_id))
    assert len(snapshots) >= 2
    for snapshot in snapshots:
        assert snapshot.state["engine_deltas"] == []
        at = app.get_case(case_id, version=snapshot.originator_version)
        assert snapshot.state["engine_state"] == compacted(at.checkpoint)
    assert Auditor(app).verify(case_id).ok
    report = Auditor(app).verify_store(case_id)
    assert report.ok, report


def test_whole_checkpoints_and_inline_forms_of_before_still_replay(
        rework: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    app = rework.orchestrator
    with monkeypatch.context() as before:  # the events as they were stored before
        before.setattr(case_module, "WHOLE_EVERY", 0)
        before.setattr(catalog, "is_as_deployed", lambda *args: False)
        case_id = app.start_case(StartCase("rework", {}, ADMIN)).case_id
        for _ in range(3):
            (task_id,) = app.get_case(case_id).open_tasks
            app.complete_task(CompleteTask(case_id, UUID(task_id), ADMIN, {"ok": "tidak"}))
    old = app.case_events(case_id)
    assert all(e.engine_state and not e.engine_delta for e in old
               if isinstance(e, Case.TaskCompleted))
    assert all(e.form for e in old if isinstance(e, Case.TaskActivated))
    for _ in range(2):  # and on from there, now with deltas and references
        (task_id,) = app.get_case(case_id).open_tasks
        app.complete_task(CompleteTask(case_id, UUID(task_id), ADMIN, {"ok": "tidak"}))
    case = app.get_case(case_id)
    stored = app.get_case(case_id, version=case.version)
    assert merged(stored.checkpoint) == live_state(rework, case)
    (task,) = stored.open_tasks.values()
    assert task.form == app.model("rework")[0].tasks["Periksa"]["form"]
    assert Auditor(app).verify(case_id).ok


def test_a_process_that_has_not_parsed_the_version_resolves_the_references(
        rework: Services, config: Config) -> None:
    app = rework.orchestrator
    case_id = app.start_case(StartCase("rework", {}, ADMIN)).case_id
    (task_id,) = app.get_case(case_id).open_tasks
    app.complete_task(CompleteTask(case_id, UUID(task_id), ADMIN, {"ok": "tidak"}))
    model = app.model("rework")[0]
    form = model.tasks["Periksa"]["form"]
    rework.close()
    catalog._TASKS.pop(model.sha256)  # as in a process that never loaded this version
    again = bootstrap(config)
    try:
        case = again.orchestrator.get_case(case_id)
        (task,) = case.open_tasks.values()
        assert task.form == form and catalog.task_of(model.sha256, "Periksa")["form"] == form
        catalog._TASKS.pop(model.sha256)
        again.projections.rebuild("inbox")
        row = _inbox_row(again, task.task_id)
        assert json.loads(row["form"]) == form
        assert json.loads(row["properties"]) == model.tasks["Periksa"]["properties"]
        shown = [e for e in again.orchestrator.case_events(case_id, resolved=True)
                 if isinstance(e, Case.TaskActivated)]
        assert all(e.form == form for e in shown)
    finally:
        again.close()


def _inbox_row(services: Services, task_id: str) -> dict[str, Any]:
    rows = services.projections.view("inbox").rows(
        "SELECT form, properties FROM inbox_tasks WHERE task_id = :task_id",
        {"task_id": task_id})
    assert rows, "the rebuilt inbox has the open task"
    return dict(rows[0])
