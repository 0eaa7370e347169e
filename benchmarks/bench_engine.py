"""[engine_overhead] One SOP 9.3 case through Alur, per step, warm (the aggregate cache and
the engine's live workflows hot, as for the next command on a case this process just served)
and cold (both forgotten before each command: the case loaded from its snapshot and events,
the engine restored from its checkpoint), against bare SpiffWorkflow in memory plus one raw
INSERT+COMMIT of a ~1.5 KB row per step in the same database. The worse of the two decides."""

from __future__ import annotations

import base64
import os
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from alur.config import PROJECT_ROOT
from benchmarks import workload
from benchmarks.context import Context
from benchmarks.stores import RawDb, raw_db, services_on
from benchmarks.timing import Result, median, ms, now, quiet_gc, result, spread
from orchestrator.application import Orchestrator
from orchestrator.commands import CompleteTask

STEPS = 9  # benar branch: Task_1 … Task_9
ROW_BYTES = 1500
TARGET = 2.0


class StepRows:
    """The baseline's persistence: one ~1.5 KB row per step, each in its own transaction."""

    def __init__(self, db: RawDb) -> None:
        self.db = db
        self.table = db.table("baseline_steps")
        db.begin()
        db.execute(f"CREATE TABLE {self.table} (case_no INTEGER NOT NULL, step INTEGER NOT NULL,"
                   " payload TEXT NOT NULL, PRIMARY KEY (case_no, step))")
        db.commit()
        self.payload = base64.b64encode(os.urandom(ROW_BYTES * 3 // 4)).decode("ascii")

    def write(self, case_no: int, step: int) -> None:
        self.db.begin()
        self.db.execute(f"INSERT INTO {self.table} VALUES (?, ?, ?)",
                        (case_no, step, self.payload))
        self.db.commit()


def bare_spec() -> tuple[Any, dict[str, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str((PROJECT_ROOT / "processes" / workload.BPMN_FILE).read_bytes())
    return parser.get_spec(workload.PROCESS), parser.get_subprocess_specs(workload.PROCESS)


def bare_case(spec: Any, subprocesses: dict[str, Any], rows: StepRows, case_no: int,
              ) -> list[float]:
    """Seconds per step of one case run by SpiffWorkflow alone, plus one row per step."""
    workflow = BpmnWorkflow(spec, subprocesses)
    workflow.do_engine_steps()
    times = []
    while not workflow.is_completed():
        began = now()
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(workload.step_data(task.task_spec.bpmn_id))
        task.run()
        workflow.do_engine_steps()
        rows.write(case_no, len(times))
        times.append(now() - began)
    return _checked(times)


def alur_case(app: Orchestrator, case_no: int, cold: bool = False) -> list[float]:
    """Seconds per ``complete_task`` command of one case through the application service
    (finding the open task's id, as a client would have it from its inbox, is not timed).
    ``cold``: the caches forgotten before each command (``workload.make_cold``), so that it
    loads the case from its snapshot and events and restores the engine from its checkpoint,
    as the first command on a case after a restart, or in another process, does."""
    case_id = workload.start(app, case_no)
    times = []
    while (case := app.get_case(case_id)).status == "active":
        task = workload.the_open_task(case)
        assert task is not None
        command = CompleteTask(case_id, UUID(task.task_id), workload.ACTOR,
                               workload.step_data(task.element_id))
        if cold:
            workload.make_cold(app, case_id)
        began = now()
        workload.complete(app, command)
        times.append(now() - began)
    return _checked(times)


def _checked(times: list[float]) -> list[float]:
    if len(times) != STEPS:
        raise RuntimeError(f"SOP 9.3 benar branch took {len(times)} steps, not {STEPS}")
    return times


def engine_overhead(ctx: Context) -> Result:
    with ctx.fresh("engine") as store, services_on(store) as services, \
            raw_db(store, "baseline-steps") as db:
        app, rows = services.orchestrator, StepRows(db)
        spec, subprocesses = bare_spec()
        alur_case(app, -1)  # warm-up: caches, connections, first snapshot of the spec json
        alur_case(app, -2, cold=True)
        bare_case(spec, subprocesses, rows, -1)
        warm: list[float] = []
        cold: list[float] = []
        bare: list[float] = []
        with quiet_gc():
            for case_no in range(ctx.scale.engine_cases):  # interleaved against drift
                warm += alur_case(app, 2 * case_no)
                cold += alur_case(app, 2 * case_no + 1, cold=True)
                bare += bare_case(spec, subprocesses, rows, case_no)
    ratios = {"warm": median(warm) / median(bare), "cold": median(cold) / median(bare)}
    ratio = max(ratios.values())
    return result(
        "engine_overhead", ctx.kind, ratio=ratio, target=f"<= {TARGET}, cold and warm",
        met=ratio <= TARGET, worst="cold" if ratios["cold"] >= ratios["warm"] else "warm",
        ratios={k: round(v, 3) for k, v in ratios.items()},
        cases=ctx.scale.engine_cases, steps_per_case=STEPS,
        warm_step_ms=ms(median(warm)), cold_step_ms=ms(median(cold)),
        baseline_step_ms=ms(median(bare)),
        warm=spread(warm), cold=spread(cold), baseline=spread(bare),
    )
