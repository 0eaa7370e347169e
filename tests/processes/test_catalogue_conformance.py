"""Every BPMN file is bound to its catalogue flowchart: rows, lanes, order, decisions, diagram."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from orchestrator.engine import executable_process_ids, load_model
from orchestrator.roles import RoleRegistry
from tests.processes.catalogue import flowcharts

ROOT = Path(__file__).resolve().parents[2] / "processes"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")



CHARTS = flowcharts()
FILES = sorted((ROOT / "bpmn").glob("*.bpmn"))
MODELS = [(path, key) for path in FILES for key in executable_process_ids(path.read_bytes())]


def test_every_bpmn_is_bound_to_a_catalogue_flowchart() -> None:
    assert MODELS, "no BPMN files found"
    for path, key in MODELS:
        assert key in CHARTS, f"{path.name}: process '{key}' has no catalogue flowchart"


@pytest.mark.parametrize("path, key", MODELS, ids=[k for _, k in MODELS])
def test_rows_are_tasks_in_their_lanes_in_order(path: Path, key: str) -> None:
    model = load_model(key, path.read_bytes(), ROLES)
    rows = CHARTS[key]["rows"]
    by_row = {}
    for element_id, task in model.tasks.items():
        row = int(task["properties"]["row"])
        assert row not in by_row, f"row {row} is modelled twice ({by_row.get(row)}, {element_id})"
        by_row[row] = element_id
    assert sorted(by_row) == [r["step"] for r in rows], "every row exactly one task"
    for row in rows:
        task = model.tasks[by_row[row["step"]]]
        assert task["lane"] == row["lane"], f"row {row['step']} lies in the wrong lane"
        for prop in ("requirements", "output"):
            assert task["properties"][prop] == (row.get(prop) or "")
        assert task["properties"]["duration"] == ((row.get("duration") or {}).get("text") or "")


@pytest.mark.parametrize("path, key", MODELS, ids=[k for _, k in MODELS])
def test_decisions_are_gateways_with_one_flow_per_answer(path: Path, key: str) -> None:
    model = load_model(key, path.read_bytes(), ROLES)
    task_of_row = {int(t["properties"]["row"]): e for e, t in model.tasks.items()}
    for row in CHARTS[key]["rows"]:
        decision = row.get("decision")
        if not decision:
            continue
        task_id = task_of_row[row["step"]]
        field = model.tasks[task_id]["form"]["properties"][decision["field"]]
        assert field["enum"] == [a["value"] for a in decision["answers"]]
        assert decision["field"] in model.tasks[task_id]["form"]["required"]
        (gateway,) = [f.target for f in model.flows.values() if f.source == task_id]
        outgoing = [f for f in model.flows.values() if f.source == gateway]
        assert len(outgoing) == len(decision["answers"])
        for answer in decision["answers"]:
            (flow,) = [f for f in outgoing if repr(answer["value"]) in (f.condition or "")]
            if answer["next"] != "end":
                assert flow.target == task_of_row[answer["next"]]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_element_is_drawn(path: Path) -> None:
    root = ET.fromstring(path.read_bytes())
    drawn = {el.get("bpmnElement") for el in root.iter() if el.tag in (
        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape",
        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
    for process in root.iter(f"{BPMN}process"):
        for el in process:
            if el.tag.split("}")[1] in ("laneSet", "extensionElements"):
                continue
            assert el.get("id") in drawn, f"{el.get('id')} has no BPMNDI shape or edge"
