"""Timers and escalation on both stores: armed as facts, fired once by the scheduler (after a
restart too, and with two schedulers racing), steps escalated to their unit's supervisor."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from alur.bootstrap import SYSTEM, Services, bootstrap
from alur.config import Config
from alur.scheduler import Scheduler, leadership
from orchestrator.commands import CompleteTask, DeployProcess, StartCase
from tests import bpmn_factory
from tests.bpmn_factory import flow, user_task

KEY = "uji_timer"


def timer(expression: str, working: bool = False) -> str:
    props = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
             'name="working_time" value="true"/></spiffworkflow:properties>'
             '</bpmn:extensionElements>') if working else ""
    return (f'{props}<bpmn:timerEventDefinition id="T_{abs(hash(expression)) % 10**6}">'
            f'<bpmn:timeDuration>"{expression}"</bpmn:timeDuration></bpmn:timerEventDefinition>')


def boundary_process(interrupting: bool = True, wait: str = "PT1H") -> bytes:
    """Periksa (a decision) with a boundary timer -> Tindak lanjut; after Periksa an
    intermediate timer Tunggu, then the end."""
    cancel = "true" if interrupting else "false"
    body = ('<bpmn:startEvent id="Mulai"/>' + user_task("Periksa")
            + f'<bpmn:boundaryEvent id="Batas" name="Batas waktu" attachedToRef="Periksa" '
              f'cancelActivity="{cancel}">{timer(wait)}</bpmn:boundaryEvent>'
            + user_task("Tindak", form={"type": "object"})
            + f'<bpmn:intermediateCatchEvent id="Tunggu" name="Tunggu">{timer("P1D", True)}'
              '</bpmn:intermediateCatchEvent>'
            + '<bpmn:endEvent id="Selesai"/><bpmn:endEvent id="Selesai_tindak"/>'
            + flow("F1", "Mulai", "Periksa") + flow("F2", "Periksa", "Tunggu")
            + flow("F3", "Tunggu", "Selesai") + flow("F4", "Batas", "Tindak")
            + flow("F5", "Tindak", "Selesai_tindak"))
    return bpmn_factory.document(KEY, body, ["Periksa", "Tindak"])


def deploy(services: Services, bpmn: bytes) -> None:
    services.orchestrator.deploy(DeployProcess(KEY, bpmn, SYSTEM))


def admin(services: Services) -> Any:
    user = services.orchestrator.find_user("admin")
    assert user is not None
    return services.roles.actor(user.username, user.roles)


def start(services: Services) -> UUID:
    return services.orchestrator.start_case(StartCase(KEY, {}, admin(services))).case_id


def types(services: Services, case_id: UUID) -> list[str]:
    return [type(e).__name__ for e in services.orchestrator.case_events(case_id)]


def later(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def test_a_boundary_timer_is_armed_fired_once_and_interrupts_its_step(services: Services) -> None:
    deploy(services, boundary_process())
    case_id = start(services)
    case = services.orchestrator.get_case(case_id)
    (armed,) = case.armed().values()
    assert armed["element_id"] == "Batas" and armed["attached_to"] in case.open_tasks
    scheduler = Scheduler(services, schedules=[])
    assert scheduler.tick().fired == 0  # not due yet: nothing appended
    report = scheduler.tick(later(2))
    assert report.fired == 1
    assert scheduler.tick(later(3)).appended == 0
    assert types(services, case_id).count("TimerFired") == 1
    case = services.orchestrator.get_case(case_id)
    assert [t.element_id for t in case.open_tasks.values()] == ["Tindak"]  # Periksa cancelled
    services.projections.catch_up()
    tasks = {t["element_id"]: t for t in services.inbox.dump()["tasks"]}
    assert tasks["Periksa"]["state"] == "cancelled" and tasks["Tindak"]["state"] == "ready"


def test_completing_the_step_cancels_its_boundary_timer_and_arms_the_next(
        services: Services) -> None:
    deploy(services, boundary_process())
    case_id = start(services)
    app = services.orchestrator
    (task_id,) = app.get_case(case_id).open_tasks
    app.complete_task(CompleteTask(case_id, UUID(task_id), admin(services), {"ok": "ya"}))
    assert types(services, case_id)[-2:] == ["TimerCancelled", "TimerArmed"]
    (armed,) = app.get_case(case_id).armed().values()
    assert armed["element_id"] == "Tunggu" and armed["working"] is True
    due = datetime.fromisoformat(armed["due_at"])  # one working day: a working day's clock
    assert services.calendar.is_working_day(due.date()) and due.utcoffset() == timedelta(hours=8)
    report = Scheduler(services, schedules=[]).tick(due + timedelta(minutes=1))
    assert report.fired == 1 and app.get_case(case_id).status == "completed"


def test_a_non_interrupting_timer_keeps_the_step(services: Services) -> None:
    deploy(services, boundary_process(interrupting=False))
    case_id = start(services)
    assert Scheduler(services, schedules=[]).tick(later(2)).fired == 1
    elements = sorted(t.element_id for t in services.orchestrator.get_case(case_id)
                      .open_tasks.values())
    assert elements == ["Periksa", "Tindak"]


def test_a_timer_due_during_a_restart_fires_once_after_it(config: Config,
                                                          services: Services) -> None:
    deploy(services, boundary_process(wait="PT1S"))
    case_ids = [start(services) for _ in range(3)]
    services.close()  # the service is down while the timers come due
    restarted = bootstrap(config)
    try:
        for _ in range(2):  # and it restarts twice: still one firing each
            report = Scheduler(restarted, schedules=[]).tick(later(1))
        assert report.fired == 0
        for case_id in case_ids:
            assert types(restarted, case_id).count("TimerFired") == 1
        restarted.projections.catch_up()
        assert not [r for r in restarted.inbox.dump()["due"] if r["kind"] == "timer"]
    finally:
        restarted.close()


def test_two_schedulers_never_fire_the_same_timer(config: Config, services: Services) -> None:
    deploy(services, boundary_process(wait="PT1S"))
    case_ids = [start(services) for _ in range(8)]
    other = bootstrap(config)  # a second process on the same store
    try:
        reports = []
        barrier = threading.Barrier(2)

        def run(svc: Services) -> None:
            barrier.wait()
            reports.append(Scheduler(svc, schedules=[]).tick(later(1)))

        threads = [threading.Thread(target=run, args=(s,)) for s in (services, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sum(r.fired for r in reports) == len(case_ids), reports
        for case_id in case_ids:
            assert types(services, case_id).count("TimerFired") == 1
    finally:
        other.close()


def test_one_scheduler_is_active_the_other_stands_by(config: Config, services: Services) -> None:
    other = bootstrap(config)
    try:
        with leadership(services) as first, leadership(other) as second:
            assert bool(first) and not bool(second)
        with leadership(other) as again:  # the first let go: the standby takes over
            assert bool(again)
    finally:
        other.close()


def test_an_escalation_reaches_the_supervisors_inbox(services: Services) -> None:
    """SOP 9.3's first step (the reporter's, Pihak luar) past its due time goes to the
    Sekretaris, who oversees the services (Keputusan 33/2025); before that its holder is
    reminded once."""
    from tests.starts import complaint

    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(), admin(services))).case_id
    services.projections.catch_up()
    scheduler = Scheduler(services, schedules=[])
    (task,) = [t for t in services.inbox.dump()["tasks"] if t["case_id"] == str(case_id)]
    due = datetime.fromisoformat(task["due_at"])
    before = services.inbox.inbox(frozenset({"sekretaris"}), "sekretaris", view="escalated")
    assert not [t for t in before if t["case_id"] == str(case_id)]
    activated = datetime.fromisoformat(task["activated_at"])
    assert scheduler.tick(activated + (due - activated) * 0.8).reminded >= 1
    report = scheduler.tick(due + timedelta(minutes=1))
    assert report.escalated >= 1 and report.reminded == 0
    events = app.case_events(case_id)
    (escalated,) = [e for e in events if type(e).__name__ == "TaskEscalated"]
    assert (escalated.to_role, escalated.lane, escalated.unit) == ("sekretaris", "pelapor",
                                                                   "Pihak luar")
    assert datetime.fromisoformat(escalated.due_at) == due
    assert [type(e).__name__ for e in events].count("TaskReminded") == 1
    services.projections.catch_up()
    inbox = services.inbox.inbox(frozenset({"sekretaris"}), "sekretaris", view="escalated")
    assert [t["task_id"] for t in inbox if t["case_id"] == str(case_id)] == [task["task_id"]]
    assert scheduler.tick(due + timedelta(hours=1)).escalated == 0  # once


def test_each_occurrence_of_recurring_work_starts_once(config: Config,
                                                        services: Services) -> None:
    """SOP 9.11 at month end: two schedulers racing start one case; a restart starts none."""
    from orchestrator.schedules import ScheduledStart, load_schedules, occurrence_id

    (monthly,) = [s for s in load_schedules(config.processes_dir / "schedules.yaml")
                  if s.process == "sop_9_11"]
    month_end = datetime.fromisoformat("2026-01-30T09:00:00+08:00")  # Friday, last working day
    other = bootstrap(config)
    try:
        reports = []
        barrier = threading.Barrier(2)

        def run(svc: Services) -> None:
            barrier.wait()
            reports.append(Scheduler(svc, schedules=[monthly]).tick(month_end))

        threads = [threading.Thread(target=run, args=(s,)) for s in (services, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(r.started for r in reports) == [0, 1], reports
    finally:
        other.close()
    restarted = bootstrap(config)
    try:
        later_that_day = month_end + timedelta(hours=6)
        assert Scheduler(restarted, schedules=[monthly]).tick(later_that_day).started == 0
        started = restarted.orchestrator.repository.get(occurrence_id(monthly.key, "2026-01"))
        assert isinstance(started, ScheduledStart) and started.process == "sop_9_11"
        case = restarted.orchestrator.get_case(UUID(started.case_id))
        assert case.started_by == "scheduler"
        assert case.data["bulan"] == "01" and case.data["tahun"] == 2026
        restarted.projections.catch_up()
        rows = restarted.inbox.cases(processes=["sop_9_11"]).items
        assert [r["case_id"] for r in rows] == [started.case_id]
        from orchestrator.audit import Auditor
        report = Auditor(restarted.orchestrator).verify_store(None)
        assert report.ok, list(report.lines())
    finally:
        restarted.close()


def test_a_sensitive_case_escalates_to_its_handling_role(services: Services) -> None:
    """WBS (SOP 9.5): nobody outside its staff lanes may read it, so a late step goes to the
    role that handles its reports, not up the hierarchy."""
    from tests.starts import wbs_start

    app = services.orchestrator
    model, _ = app.model("sop_9_5")
    case_id = app.start_case(StartCase("sop_9_5", wbs_start(), admin(services))).case_id
    report = Scheduler(services, schedules=[]).tick(later(24 * 400))
    assert report.escalated >= 1
    targets = {e.to_role for e in app.case_events(case_id)
               if type(e).__name__ in ("TaskEscalated", "DeadlineEscalated")}
    assert targets == {model.handling_role}
