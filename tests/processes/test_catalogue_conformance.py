"""Every BPMN file is bound to its catalogue flowchart: rows, lanes, order, decisions, diagram."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from api.bpmn_compare import conformance, flowchart, linked_flowcharts
from orchestrator.engine import executable_process_ids, load_model
from orchestrator.roles import RoleRegistry
from tests.processes.catalogue import bind, flowcharts
from tools.catalogue_to_bpmn import task_properties

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
    by_step = bind(model.tasks, CHARTS[key])
    assert sorted(by_step) == [r["step"] for r in rows], "every row exactly one task"
    for row in rows:
        task = model.tasks[by_step[row["step"]]]
        assert task["lane"] == row["lane"], f"row {row['step']} lies in the wrong lane"
        for prop in ("requirements", "output", "remarks"):
            assert task["properties"].get(prop, "") == (row.get(prop) or "")
        assert task["properties"]["duration"] == ((row.get("duration") or {}).get("text") or "")


@pytest.mark.parametrize("path, key", MODELS, ids=[k for _, k in MODELS])
def test_decisions_are_gateways_with_one_flow_per_answer(path: Path, key: str) -> None:
    model = load_model(key, path.read_bytes(), ROLES)
    task_of_step = bind(model.tasks, CHARTS[key])
    for row in CHARTS[key]["rows"]:
        decision = row.get("decision")
        if not decision:
            continue
        task_id = task_of_step[row["step"]]
        field = model.tasks[task_id]["form"]["properties"][decision["field"]]
        assert field["enum"] == [a["value"] for a in decision["answers"]]
        assert decision["field"] in model.tasks[task_id]["form"]["required"]
        (gateway,) = [f.target for f in model.flows.values() if f.source == task_id]
        outgoing = [f for f in model.flows.values() if f.source == gateway]
        assert len(outgoing) == len(decision["answers"])
        for answer in decision["answers"]:
            (flow,) = [f for f in outgoing if repr(answer["value"]) in (f.condition or "")]
            if answer["next"] != "end":
                assert flow.target == task_of_step[answer["next"]]


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


@pytest.mark.parametrize("path, key", MODELS, ids=[k for _, k in MODELS])
def test_task_properties_are_what_the_scaffolder_writes_for_their_rows(path: Path,
                                                                     key: str) -> None:
    """The BPMN files stay consistent with tools/catalogue_to_bpmn.py (forms may grow): every
    field the scaffolder writes for a row is in the task's form as written, as required."""
    model = load_model(key, path.read_bytes(), ROLES)
    rows = {r["step"]: r for r in CHARTS[key]["rows"]}
    for step, element_id in bind(model.tasks, CHARTS[key]).items():
        expected = task_properties(rows[step])
        form = json.loads(expected.pop("form"))
        assert model.tasks[element_id]["properties"] == expected, element_id
        deployed = model.tasks[element_id]["form"]
        assert set(form["required"]) <= set(deployed["required"])
        for name, schema in form["properties"].items():
            assert deployed["properties"].get(name) == schema, f"{element_id}: field {name}"


@pytest.mark.parametrize("path, key", MODELS, ids=[k for _, k in MODELS])
def test_the_process_owners_conformance_check_passes_every_shipped_file(path: Path,
                                                                         key: str) -> None:
    """Repeated and empty printed row numbers (9.16, 9.6) are no "modelled twice" warnings."""
    model = load_model(key, path.read_bytes(), ROLES)
    assert conformance(model, flowchart(ROOT / "catalogue", key),
                       linked_flowcharts(ROOT / "catalogue", model)) == []


def test_the_conformance_check_still_names_a_changed_keterangan() -> None:
    path = ROOT / "bpmn" / "sop-9.5.bpmn"
    bpmn = path.read_bytes().replace(b'name="remarks" value="Laporan dan/atau',
                                     b'name="remarks" value="Diubah: Laporan dan/atau')
    warnings = conformance(load_model("sop_9_5", bpmn, ROLES), flowchart(ROOT / "catalogue",
                                                                          "sop_9_5"))
    assert len(warnings) == 1 and "baris 7 (Task_7): remarks" in warnings[0]
