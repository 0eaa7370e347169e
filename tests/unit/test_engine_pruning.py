"""Pruning the finished history of a long workflow (orchestrator/engine/pruning.py) changes
nothing the engine answers: the same steps, gateway passages and end, with or without it,
through checkpoints and restores, and the tree stays small however long the loop runs."""

from __future__ import annotations

from typing import Any

import pytest

from alur.config import PROJECT_ROOT
from orchestrator.engine import Engine, load_model, pruning
from orchestrator.roles import RoleRegistry
from tests.bpmn_factory import rework_then_parallel

ROUNDS = 150


def _walk(engine: Engine, restore_every: int) -> tuple[list[Any], int]:
    """Round the loop ROUNDS times, then the parallel pair; what the engine said each step,
    and the largest tree it held."""
    roles = RoleRegistry.load(PROJECT_ROOT / "processes" / "roles.yaml")
    model = load_model("rework_parallel", rework_then_parallel(), roles)
    outcome = engine.start(model, {"nomor": 1})
    said: list[Any] = []
    largest = 0
    step = 0
    while not outcome.ended:
        task = outcome.ready[0]
        data = {"ok": "ya" if step >= ROUNDS else "tidak"} if task.element_id == "Periksa" else {}
        if restore_every and step % restore_every == 0:
            engine.live.take(model, outcome.state)  # as after a restart: from the checkpoint
        outcome = engine.complete(model, outcome.state, task.task_id, data)
        workflow = engine.restore(model, outcome.state)
        largest = max(largest, len(workflow.tasks))
        said.append(([t.element_id for t in outcome.ready], outcome.passed,
                     [(g.gateway_id, g.flow_id) for g in outcome.gateways], outcome.ended,
                     workflow.data if outcome.ended else None))
        step += 1
    return said, largest


@pytest.mark.parametrize("restore_every", [0, 7])
def test_pruned_and_whole_trees_answer_alike(restore_every: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pruned, small = _walk(Engine(), restore_every)
    monkeypatch.setattr(pruning, "PRUNE_AT", 10**9)
    whole, large = _walk(Engine(), restore_every)
    assert pruned == whole
    assert pruned[-1][3] is True and len(pruned) == ROUNDS + 1 + 2
    assert large > 2 * ROUNDS  # every round kept: the user task and the gateway
    assert small <= pruning.PRUNE_AT + 8  # bounded, whatever the number of rounds
