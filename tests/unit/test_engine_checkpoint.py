"""Engine checkpoints: state only (the spec comes from the deployed model), lossless."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

from orchestrator.engine import Engine, load_model
from orchestrator.engine.runtime import SERIALIZER, decode
from orchestrator.roles import RoleRegistry

ROOT = Path(__file__).resolve().parents[2] / "processes"
MODEL = load_model("sop_9_3", (ROOT / "bpmn" / "sop-9.3.bpmn").read_bytes(),
                   RoleRegistry.load(ROOT / "roles.yaml"))
ENGINE = Engine()


def decoded(state: str) -> dict:
    return decode(state)


def walked(steps: int) -> str:
    state = ENGINE.start(MODEL, {"subjek": "x"}).state
    for _ in range(steps):
        workflow = ENGINE.restore(MODEL, state)
        (ready,) = ENGINE.ready_tasks(MODEL, workflow)
        state = ENGINE.complete(MODEL, state, ready.task_id, {"keputusan_pleno": "benar"}).state
    return state


def test_a_checkpoint_holds_state_but_no_spec() -> None:
    dct = decoded(walked(3))
    assert "spec" not in dct
    assert "subprocess_specs" not in dct
    assert dct[SERIALIZER.VERSION_KEY] == SERIALIZER.VERSION
    assert len(walked(3)) < 4000


def test_restore_then_checkpoint_gives_back_the_same_state() -> None:
    state = walked(4)
    assert decoded(ENGINE.checkpoint(ENGINE.restore(MODEL, state))) == decoded(state)


def test_a_checkpoint_of_an_older_serializer_is_migrated_with_the_whole_spec() -> None:
    state = walked(2)
    dct = decoded(state)
    dct[SERIALIZER.VERSION_KEY] = "1.4"
    older = base64.b64encode(zlib.compress(json.dumps(dct).encode())).decode()
    workflow = ENGINE.restore(MODEL, older)
    assert [t.element_id for t in ENGINE.ready_tasks(MODEL, workflow)] == \
        [t.element_id for t in ENGINE.ready_tasks(MODEL, ENGINE.restore(MODEL, state))]
