"""Inbox views, case lists, SLA and dashboard figures from the worklist projection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from alur.bootstrap import Services
from orchestrator.commands import Actor, ClaimTask, CompleteTask, StartCase
from tests.starts import complaint
from tools.form_samples import sample

STAFF = Actor("staf", frozenset({"pelapor", "admin", "sekretaris", "unit_pengaduan",
                                 "rapat_pleno"}))
LATER = datetime.now(UTC) + timedelta(days=60)


def _start(services: Services, subject: str) -> UUID:
    return services.orchestrator.start_case(StartCase("sop_9_3", complaint(subjek=subject),
                                                      STAFF)).case_id


def _step(services: Services, case_id: UUID, data: dict | None = None) -> None:
    app = services.orchestrator
    task = next(iter(app.get_case(case_id).open_tasks.values()))
    app.complete_task(CompleteTask(case_id, UUID(task.task_id), STAFF,
                                   sample(task.form, overrides=data)))


def test_inbox_views_search_and_pages(services: Services) -> None:
    ids = [_start(services, f"Aduan nomor {i}") for i in range(5)]
    first = next(iter(services.orchestrator.get_case(ids[0]).open_tasks))
    services.orchestrator.claim_task(ClaimTask(ids[0], UUID(first), STAFF))
    services.projections.catch_up()
    inbox = services.inbox
    roles = frozenset({"pelapor"})
    assert inbox.inbox_page(roles, "staf").total == 5
    assert [t["case_id"] for t in inbox.inbox(roles, "staf", view="mine")] == [str(ids[0])]
    assert len(inbox.inbox(roles, "staf", view="unclaimed")) == 4
    assert len(inbox.inbox(roles, "someone-else")) == 4  # a claimed task leaves others' inbox
    assert inbox.inbox(roles, "staf", view="overdue") == []
    assert len(inbox.inbox(roles, "staf", view="overdue", now=LATER)) == 5
    assert len(inbox.inbox(roles, "staf", view="due_soon")) == 5  # 15 minutes each
    found = inbox.inbox(roles, "staf", q="NOMOR 3")
    assert [t["subject"] for t in found] == ["Aduan nomor 3"]
    registration = found[0]["registration"]
    assert inbox.inbox(roles, "staf", q=registration)[0]["subject"] == "Aduan nomor 3"
    page = inbox.inbox_page(roles, "staf", limit=2, offset=4)
    assert page.total == 5 and len(page.items) == 1


def test_inbox_over_several_lanes_pages_in_due_order(services: Services) -> None:
    ids = [_start(services, f"Antrian {i}") for i in range(7)]
    for steps, case_id in enumerate(ids):  # case i waits in the lane of step i % 4
        for _ in range(steps % 4):
            _step(services, case_id)
    services.projections.catch_up()
    inbox, roles = services.inbox, STAFF.roles
    whole = inbox.inbox(roles, "staf")
    assert len({t["lane"] for t in whole}) >= 3
    assert sorted(t["case_id"] for t in whole) == sorted(map(str, ids))
    order = [(t["due_at"] or "~", t["activated_at"]) for t in whole]
    assert order == sorted(order)
    paged = [t for offset in range(0, 8, 3)
             for t in inbox.inbox_page(roles, "staf", limit=3, offset=offset).items]
    assert [t["task_id"] for t in paged] == [t["task_id"] for t in whole]
    assert inbox.inbox_page(roles, "staf", limit=3, offset=3).total == 7


def test_case_list_filters(services: Services) -> None:
    ids = [_start(services, f"Kasus {i}") for i in range(3)]
    for _ in range(6):
        _step(services, ids[0])
    _step(services, ids[0], {"keputusan_pleno": "tidak_benar"})  # the plenary ends case 0
    _step(services, ids[1])
    app = services.orchestrator
    services.projections.catch_up()
    cases = services.inbox.cases
    assert cases().total == 3
    assert [c["case_id"] for c in cases(status="completed").items] == [str(ids[0])]
    assert {c["case_id"] for c in cases(role="admin").items} == {str(ids[1])}
    assert cases(processes=["sop_9_4"]).total == 0
    registration = app.get_case(ids[2]).registration
    assert [c["case_id"] for c in cases(registration=registration).items] == [str(ids[2])]
    assert cases(q="kasus 1").items[0]["subject"] == "Kasus 1"
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert cases(started_from=tomorrow).total == 0
    assert cases(started_to=tomorrow).total == 3


def test_overdue_lists_tasks_with_holders_and_late_cases(services: Services) -> None:
    case_id = _start(services, "Terlambat")
    task = next(iter(services.orchestrator.get_case(case_id).open_tasks))
    services.orchestrator.claim_task(ClaimTask(case_id, UUID(task), STAFF))
    services.projections.catch_up()
    assert services.inbox.overdue()["tasks"] == []
    late = services.inbox.overdue(now=LATER)
    assert [(t["lane"], t["claimed_by"]) for t in late["tasks"]] == [("pelapor", "staf")]
    assert late["by_role"] == {"pelapor": 1}
    assert [c["case_id"] for c in late["cases"]] == [str(case_id)]  # past its 14 days


def test_dashboard_counts_and_step_times(services: Services) -> None:
    done, waiting = _start(services, "Selesai"), _start(services, "Menunggu")
    for _ in range(6):
        _step(services, done)
    _step(services, done, {"keputusan_pleno": "tidak_benar"})
    _step(services, waiting)
    services.projections.catch_up()
    (stats,) = services.inbox.dashboard(process="sop_9_3")
    assert (stats["open"], stats["completed"], stats["overdue"]) == (1, 1, 0)
    assert stats["cycle_hours"]["median"] is not None
    steps = {s["element_id"]: s for s in stats["steps"]}
    assert steps["Task_2"]["open"] == 1 and steps["Task_1"]["done"] == 2
    assert steps["Task_7"]["done"] == 1 and steps["Task_7"]["median_hours"] is not None
    assert stats["steps"][0]["element_id"] == "Task_2"  # where cases wait comes first
