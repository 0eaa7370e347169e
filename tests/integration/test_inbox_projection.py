"""The inbox projection on real SQLite and PostgreSQL: rebuild equals live, crash-safe resume."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from alur.bootstrap import Services
from orchestrator.commands import Actor, CancelCase, ClaimTask, StartCase
from orchestrator.worktime import Calendar, Duration
from projections.sql import PostgresSqlView
from tests.starts import complaint
from tests.steps import complete_step

EVERYONE = Actor("tester", frozenset({"pelapor", "admin", "sekretaris", "unit_pengaduan",
                                      "rapat_pleno", "administrator"}))


def _advance(services: Services, case_id: UUID, steps: int, decision: str = "benar") -> None:
    app = services.orchestrator
    for _ in range(steps):
        case = app.get_case(case_id)
        if case.status != "active":
            return
        task = next(iter(case.open_tasks.values()))
        complete_step(app, case_id, EVERYONE, task.task_id,
                      **({"keputusan_pleno": decision} if task.element_id == "Task_7" else {}))


def mixed_workload(services: Services) -> None:
    """Cases at every stage: finished both ways, claimed, cancelled, just started."""
    app = services.orchestrator
    ids = [app.start_case(StartCase("sop_9_3", complaint(), EVERYONE)).case_id for i in range(6)]
    _advance(services, ids[0], 20, "benar")
    _advance(services, ids[1], 20, "tidak_benar")
    _advance(services, ids[2], 3)
    case = app.get_case(ids[2])
    app.claim_task(ClaimTask(ids[2], UUID(next(iter(case.open_tasks))), EVERYONE))
    _advance(services, ids[3], 5)
    app.cancel_case(CancelCase(ids[3], EVERYONE, "duplikat"))
    _advance(services, ids[4], 7)


def test_rebuild_equals_live(services: Services) -> None:
    mixed_workload(services)
    services.projections.catch_up()
    live = services.inbox.dump()
    assert len(live["cases"]) == 6 and len(live["tasks"]) > 20
    services.projections.rebuild("inbox")
    assert services.inbox.dump() == live
    status = {s["name"]: s for s in services.projections.status()}
    assert status["inbox"]["lag"] == 0
    view = services.projections.view("inbox")  # the indexes a rebuild builds last are named
    assert {name for name, _ in view.deferred_indexes()} == set(view.rebuild_deferred)


def test_resume_after_crash_mid_batch_equals_rebuild(services: Services) -> None:
    mixed_workload(services)
    projections = services.projections
    projection = projections.projections["inbox"]
    app = services.orchestrator
    head = app.recorder.max_notification_id()
    projection.view.drop(app.name)  # a runner that has applied nothing yet
    # process only the first third, as if the process died there
    for notification in app.recorder.select_notifications(start=1, limit=head // 3):
        projection.process_event(app.mapper.to_domain_event(notification),
                                 Tracking(app.name, notification.id))
    assert projection.view.max_tracking_id(app.name) == head // 3
    projections.catch_up()  # the restarted runner resumes from its tracked position
    resumed = services.inbox.dump()
    projections.rebuild("inbox")
    assert services.inbox.dump() == resumed


def test_a_notification_is_applied_at_most_once(services: Services) -> None:
    app = services.orchestrator
    app.start_case(StartCase("sop_9_3", complaint(), EVERYONE))
    services.projections.catch_up()
    projection = services.projections.projections["inbox"]
    last = app.recorder.select_notifications(start=app.recorder.max_notification_id(), limit=1)[0]
    with pytest.raises(IntegrityError):
        projection.process_event(app.mapper.to_domain_event(last), Tracking(app.name, last.id))
    rows = services.inbox.view.rows("SELECT COUNT(*) AS n FROM inbox_tasks")
    assert rows[0]["n"] == 1


def test_due_time_follows_the_working_calendar(services: Services) -> None:
    app = services.orchestrator
    result = app.start_case(StartCase("sop_9_3", complaint(), EVERYONE))
    services.projections.catch_up()
    (task,) = services.inbox.inbox(frozenset({"pelapor"}), "x")
    assert task["properties"]["duration"] == "15 menit"
    activated = datetime.fromisoformat(task["activated_at"])
    assert datetime.fromisoformat(task["due_at"]) == Calendar().add(activated, Duration(15))
    assert task["case_id"] == str(result.case_id)


def test_one_batch_equals_one_event_at_a_time(services: Services) -> None:
    """A rebuild applies thousands of events in one batch and answers its handlers' reads
    from the batch's memo (projections/sql.py ``SqlView.memo``); applied one by one, every
    read goes to the database. Both must give the same rows — extensions re-due a case's
    steps, cancellations and completions change what the memo holds."""
    from orchestrator.commands import ExtendDeadline
    from tests.starts import start_data

    mixed_workload(services)
    app = services.orchestrator
    model, _ = app.model("sop_9_22")
    ppid = Actor("demo-ppid", frozenset({"ppid", "petugas_pelayanan_informasi"}))
    for number in range(2):
        case_id = app.start_case(StartCase(
            "sop_9_22", start_data(model, jenis_informasi="lainnya"), ppid)).case_id
        if not number:  # a step done before the extension re-dues the case's steps
            complete_step(app, case_id, ppid)
        app.extend_deadline(ExtendDeadline(case_id, ppid, f"Arsip di KPU Provinsi {number}"))
        if number:
            app.cancel_case(CancelCase(case_id, EVERYONE, "ditarik pemohon"))
    projections = services.projections
    projections.rebuild("inbox")  # one batch
    batched = services.inbox.dump()
    assert any(case["deadline_at"] for case in batched["cases"])

    projection = projections.projections["inbox"]
    projection.view.drop(app.name)
    for notification in app.recorder.select_notifications(start=1, limit=10**6):
        projection.process_event(app.mapper.to_domain_event(notification),
                                 Tracking(app.name, notification.id))
    assert services.inbox.dump() == batched


class _RolledBack(Exception):
    pass


def test_a_read_inside_a_batch_answers_its_own_query(services: Services) -> None:
    """On PostgreSQL a batch streams its statements in pipeline mode; a handler's read then
    shares the connection with writes whose answers may already have arrived. The read must
    get its own rows, never the answer to an earlier statement (CI once saw "the last
    operation didn't produce records (command status: INSERT 0 1)": the server had flushed
    a write's answer while the read was being sent)."""
    import time

    view = services.projections.view("inbox")
    with pytest.raises(_RolledBack), view.batch():
        cursor = view._batch().cursor
        for number in range(3000):  # statements whose answers queue up on the server ...
            cursor.execute(view._sql("SELECT :n AS n"), {"n": number})
        if isinstance(view, PostgresSqlView):  # ... until a slow, large one makes it send
            cursor.execute("SELECT pg_sleep(0.02), repeat('x', 65536) AS n")
        time.sleep(0.1)  # ... and it arrives while the read is being sent
        assert view.rows("SELECT 2 AS n") == [{"n": 2}]
        assert view.rows("SELECT 3 AS n") == [{"n": 3}]
        raise _RolledBack


def test_a_worklist_with_per_name_case_data_carries_it_over(services: Services) -> None:
    """Worklists from before 2026-12 kept a case's values one row per name; starting the
    new version carries them into one object per case, which due times then read."""
    view = services.projections.view("inbox")
    with view._transaction(commit=True) as cursor:
        cursor.execute(view._sql("CREATE TABLE inbox_case_data (case_id TEXT NOT NULL,"
                                 " name TEXT NOT NULL, value TEXT NOT NULL,"
                                 " PRIMARY KEY (case_id, name))"))
        for name, value in (("jumlah", "3"), ("jenis", '"lainnya"'), ("mendesak", "true")):
            cursor.execute(view._sql("INSERT INTO inbox_case_data VALUES ('c-1', :n, :v)"),
                           {"n": name, "v": value})
    view.create_table()
    view.create_table()  # (every start runs it: once carried over, nothing more happens)
    rows = view.rows("SELECT case_id, data FROM inbox_case_values WHERE case_id = 'c-1'")
    assert [(row["case_id"], json.loads(row["data"])) for row in rows] == [
        ("c-1", {"jumlah": 3, "jenis": "lainnya", "mendesak": True})]
    projection = services.projections.projections["inbox"]
    assert projection._case_data("c-1") == {"jumlah": 3, "jenis": "lainnya", "mendesak": True}


def test_values_no_json_can_hold_are_not_kept_and_stop_nothing(services: Services) -> None:
    """A deployed form's number field lets JSON carry NaN and infinities; the case values
    are merged as JSON by the database, which refuses them: they must not reach it."""
    from projections.inbox import _keep_data, _kept

    view = services.projections.view("inbox")
    kept = _kept({"jumlah": float("nan"), "batas": float("inf"), "hari": 3, "skor": 1.5})
    assert kept == {"hari": 3, "skor": 1.5}
    for _ in range(2):  # the insert, then the merge
        with view._transaction(commit=True) as cursor:
            for sql, params in _keep_data(view, "c-nan", kept):
                cursor.execute(view._sql(sql), params)
    rows = view.rows("SELECT data FROM inbox_case_values WHERE case_id = 'c-nan'")
    assert json.loads(rows[0]["data"]) == {"hari": 3, "skor": 1.5}
