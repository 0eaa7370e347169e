"""The engine adapter under a hostile process: deep task trees, a step budget, no deadlocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.engine import Engine, Outcome, ProcessModel, load_model
from orchestrator.errors import InvalidTaskData
from orchestrator.roles import RoleRegistry
from tests import bpmn_factory

ROOT = Path(__file__).resolve().parents[2] / "processes"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")
# SpiffWorkflow's iterators stopped at depth 1000; each round adds two levels
ROUNDS = 601


def rework(engine: Engine, model: ProcessModel, outcome: Outcome, rounds: int) -> Outcome:
    for _ in range(rounds):
        (task,) = outcome.ready
        outcome = engine.complete(model, outcome.state, task.task_id, {"ok": "tidak"})
        assert not outcome.ended
    return outcome


def test_work_deep_in_a_long_rework_loop_is_found_and_finished() -> None:
    model = load_model("rework_parallel", bpmn_factory.rework_then_parallel(), ROLES)
    engine = Engine()
    outcome = rework(engine, model, engine.start(model, {}), ROUNDS)
    restored = engine.restore(model, outcome.state)  # a checkpoint that deep restores alike
    assert [t.element_id for t in engine.ready_tasks(model, restored)] == ["Periksa"]
    (task,) = outcome.ready
    outcome = engine.complete(model, outcome.state, task.task_id, {"ok": "ya"})
    assert sorted(t.element_id for t in outcome.ready) == ["Kanan", "Kiri"]
    left = next(t for t in outcome.ready if t.element_id == "Kiri")
    outcome = engine.complete(model, outcome.state, left.task_id, {})
    assert not outcome.ended  # Kanan is still open, below depth 1000
    assert [t.element_id for t in outcome.ready] == ["Kanan"]
    outcome = engine.complete(model, outcome.state, outcome.ready[0].task_id, {})
    assert outcome.ended and outcome.ready == []
    assert outcome.passed == ["Kanan", "Gabung", "Selesai"]


def test_engine_runs_are_bounded_by_a_step_budget() -> None:
    model = load_model("rework", bpmn_factory.rework_loop(), ROLES)
    tight = Engine(step_budget=1)
    with pytest.raises(InvalidTaskData, match="more than 1 engine steps"):
        tight.start(model, {})  # the engine's own start task, then Mulai
    outcome = Engine().start(model, {})
    again = tight.complete(model, outcome.state, outcome.ready[0].task_id, {"ok": "tidak"})
    assert again.passed == ["Periksa", "Keputusan"]  # one engine step: the gateway


def test_a_deadlocked_process_fails_the_step_instead_of_waiting_forever() -> None:
    # an exclusive choice joined by a parallel gateway: the join waits for a branch never taken
    body = ('<bpmn:startEvent id="Mulai"/>' + bpmn_factory.user_task("Isi")
            + '<bpmn:exclusiveGateway id="Pilih" default="Flow_b"/>'
            + bpmn_factory.user_task("A", form={"type": "object"})
            + bpmn_factory.user_task("B", form={"type": "object"})
            + '<bpmn:parallelGateway id="Gabung"/><bpmn:endEvent id="Selesai"/>'
            + bpmn_factory.flow("Flow_1", "Mulai", "Isi")
            + bpmn_factory.flow("Flow_2", "Isi", "Pilih")
            + bpmn_factory.flow("Flow_a", "Pilih", "A", "ok == 'ya'")
            + bpmn_factory.flow("Flow_b", "Pilih", "B")
            + bpmn_factory.flow("Flow_3", "A", "Gabung")
            + bpmn_factory.flow("Flow_4", "B", "Gabung")
            + bpmn_factory.flow("Flow_5", "Gabung", "Selesai"))
    model = load_model("deadlock", bpmn_factory.document("deadlock", body, ["Isi", "A", "B"]),
                       ROLES)
    engine = Engine()
    outcome = engine.start(model, {})
    outcome = engine.complete(model, outcome.state, outcome.ready[0].task_id, {"ok": "ya"})
    with pytest.raises(InvalidTaskData, match="deadlock"):
        engine.complete(model, outcome.state, outcome.ready[0].task_id, {})
