"""Walk every process through the real application service until every sequence flow is taken.

Every form is filled with valid data generated from its schema (tools/form_samples.py), all
fields, optional ones included. Each decision answer gets its own case (first visit takes
that answer, later visits and other decisions take a forward answer, so loops back to
"perbaikan" end). Every case must end, and
every task must be offered only to its lane's role.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from alur.bootstrap import Services, bootstrap, deploy_all, seed_demo_users
from alur.config import Config
from orchestrator.commands import Actor, CompleteTask, StartCase
from orchestrator.policy import REPORTER_LANES
from orchestrator.references import references
from tests.processes.catalogue import bind_all, flowcharts
from tests.starts import start_data as valid_start
from tools.form_samples import sample

ROOT = Path(__file__).resolve().parents[2] / "processes"
MAX_STEPS = 300



CHARTS = flowcharts()


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = bootstrap(Config(data_dir=tmp_path_factory.mktemp("walk"), secret_key="x"))
    deploy_all(svc)
    seed_demo_users(svc)  # user fields (disposisi kepada) name real users
    yield svc
    svc.close()


Step = tuple[str, int]  # (flowchart, row step): a linked flowchart's rows run in the process


def _plans(rows: list[tuple[str, dict[str, Any]]]) -> list[dict[Step, str]]:
    """One plan per answer; an answer in a linked flowchart's rows also takes the answer that
    hands the case over to that flowchart (``continues_in``)."""
    into = {a["continues_in"]: {(chart, row["step"]): a["value"]}
            for chart, row in rows for a in (row.get("decision") or {}).get("answers", [])
            if a.get("continues_in") and a.get("continues_at") is None}
    plans: list[dict[Step, str]] = [{}]
    for chart, row in rows:
        for answer in (row.get("decision") or {}).get("answers", []):
            plans.append({**into.get(chart, {}), (chart, row["step"]): answer["value"]})
    return plans


def _forward(row: dict[str, Any]) -> str:
    """An answer that moves on: a later row or an end, never a hand-back (``continues_at``)."""
    answers = row["decision"]["answers"]
    ahead = [a for a in answers if a.get("continues_at") is None
             and (a["next"] == "end" or int(a["next"]) > row["step"])]
    return (ahead or answers)[0]["value"]


def _answer(form: dict[str, Any], row: dict[str, Any], plan: dict[Step, str],
            seen: set[Step], step: Step) -> dict[str, Any]:
    """Valid data for every field of the form (generated from its schema), and the answer."""
    decision = row.get("decision")
    answer = {}
    if decision:
        first = step not in seen
        answer[decision["field"]] = plan.get(step) if first and step in plan \
            else _forward(row)
    users = {name: spec["x-alur-lanes"][0]  # the demo user of the first allowed role
             for name, spec in (form.get("properties") or {}).items()
             if spec.get("x-alur-widget") == "user"}
    return sample(form, complete=True, overrides={**users, **answer})


def start_data(services: Services, key: str) -> dict[str, Any]:
    """Valid data for every field of the process's start form, optional ones included
    (generated from its schema; attachments aside: they would have to be uploaded)."""
    model, _ = services.orchestrator.model(key)
    assert model.start_form is not None, f"{key} has no start form"
    return valid_start(model, complete=True)


def _reporter_steps(model: Any) -> Any:
    """A sensitive case's reporter steps are taken at intake (no staff acts there later)."""
    if not model.sensitive:
        return None

    def take(case: Any, complete: Any) -> list[Any]:
        for task in list(case.open_tasks.values()):
            if task.lane in REPORTER_LANES:
                complete(UUID(task.task_id), sample(task.form))
        return []
    return take


def _rows(services: Services, key: str) -> dict[str, tuple[str, dict[str, Any]]]:
    model, _ = services.orchestrator.model(key)
    return bind_all(model.tasks, key)


def walk(services: Services, key: str, plan: dict[Step, str]) -> list[str]:
    """Run one case to its end; returns the BPMN element ids it passed, in order."""
    app = services.orchestrator
    model, _ = app.model(key)
    rows = _rows(services, key)
    starter = Actor("walker", frozenset(model.lanes.values()))
    case_id = app.start_case(StartCase(key, start_data(services, key), starter),
                             _reporter_steps(model)).case_id
    seen: set[Step] = set()
    for _ in range(MAX_STEPS):
        case = app.get_case(case_id)
        if case.status != "active":
            return case.path
        task = next(iter(case.open_tasks.values()))
        chart, row = rows[task.element_id]
        step = (chart, row["step"])
        assert task.lane == row["lane"] == model.tasks[task.element_id]["lane"]
        # a step disposed to someone (assign_from) is theirs to complete
        lane_only = Actor(task.claimed_by or f"demo-{task.lane}", frozenset({task.lane}))
        data = _answer(task.form, row, plan, seen, step)
        seen.add(step)
        # the sample's documents stand for files uploaded with the completion
        app.complete_task(CompleteTask(case_id, UUID(task.task_id), lane_only, data),
                          uploaded=frozenset(references(data)))
    raise AssertionError(f"{key}: case did not end within {MAX_STEPS} steps (plan {plan})")


def test_every_sequence_flow_of_every_process_is_taken(services: Services) -> None:
    app = services.orchestrator
    total: set[tuple[str, str]] = set()
    covered: set[tuple[str, str]] = set()
    for key in app.process_keys():
        model, _ = app.model(key)
        total |= {(key, f.id) for f in model.flows.values()}
        rows = sorted(_rows(services, key).values(), key=lambda cr: (cr[0], cr[1]["step"]))
        for plan in _plans(rows):
            path = walk(services, key, plan)
            for source, target in itertools.pairwise(path):
                flow = model.flow(source, target)
                if flow:
                    covered.add((key, flow.id))
    missing = sorted(total - covered)
    print(f"\nflows covered {len(covered)} / {len(total)} in {len(app.process_keys())} processes")
    assert not missing, f"flows never taken: {missing}"
