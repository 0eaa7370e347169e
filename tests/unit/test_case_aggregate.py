"""The Case aggregate without a store: given events, when a command, then new events."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from orchestrator.case import Case
from orchestrator.commands import Actor
from orchestrator.engine import Engine, load_model
from orchestrator.errors import InvalidTaskData, NotInLane, TaskClaimedByOther, TaskNotReady
from orchestrator.roles import RoleRegistry
from tools.form_samples import sample

ROOT = Path(__file__).resolve().parents[2] / "processes"
MODEL = load_model("sop_9_3", (ROOT / "bpmn" / "sop-9.3.bpmn").read_bytes(),
                   RoleRegistry.load(ROOT / "roles.yaml"))
ENGINE = Engine()
ANYONE = Actor("u", frozenset(MODEL.lanes.values()))


def new_case() -> Case:
    case = Case.start(MODEL, 1, {"subjek": "x"}, Actor("admin", frozenset({"admin"})), ENGINE)
    case.collect_events()
    return case


def only_task(case: Case) -> UUID:
    (task_id,) = case.open_tasks
    return UUID(task_id)


def filled(case: Case, **answer: str) -> dict[str, object]:
    """Valid data for the only open task's form (its required fields), plus ``answer``."""
    (task,) = case.open_tasks.values()
    return sample(task.form, overrides=answer)


def test_start_activates_the_pelapor_task() -> None:
    case = Case.start(MODEL, 1, {}, ANYONE, ENGINE)
    events = case.collect_events()
    assert [e.type_name for e in events] == ["CaseStarted", "TaskActivated"]
    assert events[1].lane == "pelapor"
    # stored by reference: the deployed version gives the form and properties
    assert events[1].form == {} and events[1].properties == {}
    (task,) = case.open_tasks.values()
    assert task.properties["row"] == "1" and task.form == MODEL.tasks[task.element_id]["form"]


def test_complete_records_completion_then_next_activation() -> None:
    case = new_case()
    data = filled(case, catatan="ok")
    case.complete_task(only_task(case), data, ANYONE, MODEL, ENGINE)
    events = case.collect_events()
    assert [e.type_name for e in events] == ["TaskCompleted", "TaskActivated"]
    assert events[0].actor == "u" and events[0].data == data
    assert events[1].lane == "admin"


def test_plenary_tidak_benar_takes_the_gateway_and_ends() -> None:
    case = new_case()
    for _ in range(6):
        case.complete_task(only_task(case), filled(case), ANYONE, MODEL, ENGINE)
    case.collect_events()
    case.complete_task(only_task(case), {"keputusan_pleno": "tidak_benar"}, ANYONE, MODEL, ENGINE)
    events = case.collect_events()
    assert [e.type_name for e in events] == ["TaskCompleted", "GatewayTaken", "CaseCompleted"]
    assert events[1].flow_name == "Tidak Benar (T)"
    assert case.status == "completed" and not case.open_tasks


def test_refusals_append_nothing() -> None:
    case = new_case()
    task = only_task(case)
    with pytest.raises(NotInLane):
        case.complete_task(task, {}, Actor("x", frozenset({"admin"})), MODEL, ENGINE)
    with pytest.raises(InvalidTaskData):
        case.complete_task(task, {"bogus": 1}, ANYONE, MODEL, ENGINE)
    case.claim(task, ANYONE)
    case.collect_events()
    with pytest.raises(TaskClaimedByOther):
        case.complete_task(task, {}, Actor("other", ANYONE.roles), MODEL, ENGINE)
    with pytest.raises(TaskNotReady):
        case.claim(UUID(int=0), ANYONE)
    assert case.collect_events() == []
