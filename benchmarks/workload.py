"""SOP 9.3 cases for the benchmarks: who acts, what a step answers, and fast fills.

A fill builds ``Case`` aggregates with the real domain code and engine (``Case.start`` with
the process's service standard and a registration number, ``case.complete_task``) in worker
processes; the workbench saves them in batches through the application together with the
registration counter (``Orchestrator.save(*cases, counter)``), as ``Orchestrator.start_case``
does one at a time. Keep ``make_batch`` in step with ``start_case`` when that changes.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

from alur.config import PROJECT_ROOT
from orchestrator.application import Orchestrator
from orchestrator.case import Case, OpenTask
from orchestrator.commands import (
    Actor,
    ClaimTask,
    CommandResult,
    CompleteTask,
    DeployProcess,
    ReleaseTask,
    StartCase,
)
from orchestrator.engine import Engine, ProcessModel, load_model
from orchestrator.engine.runtime import LiveWorkflows
from orchestrator.references import references
from orchestrator.registration import format_number
from orchestrator.roles import RoleRegistry
from orchestrator.standards import load_standards
from tools.form_samples import sample

PROCESS = "sop_9_3"
BPMN_FILE = "bpmn/sop-9.3.bpmn"
LANES = ("pelapor", "admin", "sekretaris", "unit_pengaduan", "rapat_pleno")
ACTOR = Actor("bench", frozenset(LANES))
DEPLOYER = Actor("bench-owner", frozenset({"pemilik_proses"}))
DECISION_TASK = "Task_7"
# benchmark-only processes (benchmarks/bpmn/), deployed into the bench stores that need them
BENCH_BPMN = Path(__file__).resolve().parent / "bpmn"
ONE_TASK = "bench_one_task"  # start, one user task (lane admin), end
ONE_TASK_DATA = {"catatan": "Disetujui."}
REWORK = "bench_rework"  # one user task (lane admin) sent back until ``lengkap`` is "ya"
REWORK_AGAIN = {"lengkap": "tidak", "catatan": "Berkas belum lengkap, mohon diperbaiki."}


def case_data(number: int) -> dict[str, Any]:
    """A complaint its start form accepts (SOP 9.3: subject, account, reporter, place)."""
    return {"subjek": f"Pengaduan layanan publik nomor {number}",
            "uraian": "Antrian di loket pelayanan terlalu lama.", "pelapor_nama": "Bench",
            "pelapor_kontak": "bench@example.id", "lokasi": "Bontang"}


@cache
def _forms() -> dict[str, dict[str, Any]]:
    return {element_id: task["form"] for element_id, task in load_sop_9_3().tasks.items()}


def form_data(form: dict[str, Any] | None, **answers: Any) -> dict[str, Any]:
    """The required fields of ``form`` generated from its schema, user fields naming the demo
    user of their first lane (``alur.bootstrap.seed_demo_users``: username = role key; a
    generated name would be refused, "data names users who cannot be named"), with
    ``answers`` on top. As ``tests/steps.step_data`` does."""
    form = form or {"type": "object"}
    users = {name: spec["x-alur-lanes"][0]
             for name, spec in (form.get("properties") or {}).items()
             if spec.get("x-alur-widget") == "user" and spec.get("x-alur-lanes")}
    return sample(form, overrides={**users, **answers})


def step_data(element_id: str) -> dict[str, Any]:
    """What completing a step sends: what its form requires (generated from the schema) and,
    at the plenary, the decision (benar branch)."""
    answer = {"keputusan_pleno": "benar"} if element_id == DECISION_TASK else {}
    return form_data(_forms()[element_id], **answer)


def walk_steps(number: int, walk_every: int) -> int:
    """How many steps the fill walks case ``number``: every ``walk_every``-th case is walked
    1 to 6 steps (so open tasks spread over every lane), the others stay at step 1."""
    if walk_every <= 0 or number % walk_every:
        return 0
    return 1 + (number // walk_every) % 6


def the_open_task(case: Case) -> OpenTask | None:
    """SOP 9.3 has one open task at a time."""
    return next(iter(case.open_tasks.values()), None)


def start(app: Orchestrator, number: int = 0) -> UUID:
    return app.start_case(StartCase(PROCESS, case_data(number), ACTOR)).case_id


def complete_step(app: Orchestrator, case_id: UUID, task: OpenTask) -> None:
    complete(app, CompleteTask(case_id, UUID(task.task_id), ACTOR, step_data(task.element_id)))


def complete(app: Orchestrator, command: CompleteTask) -> CommandResult:
    """``complete_task`` with the sample's attachment references standing for files uploaded
    with the command (as the API's ``complete-with-files`` passes its staged uploads)."""
    return app.complete_task(command, uploaded=frozenset(references(command.data)))


def make_cold(app: Orchestrator, case_id: UUID) -> None:
    """Forget what this process holds of the case: its aggregate in the repository cache and
    every live workflow (a fresh cache, as after a restart); the next command loads the case
    from its latest snapshot and the events since (as with ``ALUR_AGGREGATE_CACHE=0``) and
    restores the engine from its checkpoint."""
    if app.repository.cache is not None:
        with suppress(KeyError):  # not cached
            app.repository.cache.get(case_id, evict=True)
    app.engine.live = LiveWorkflows(app.engine.live.size)


def deploy_bench_process(app: Orchestrator, key: str) -> int:
    """Deploy ``benchmarks/bpmn/<key>.bpmn`` (as a process owner would); its version."""
    path = BENCH_BPMN / f"{key}.bpmn"
    return app.deploy(DeployProcess(key, path.read_bytes(), DEPLOYER,
                                    f"file:benchmarks/bpmn/{path.name}"))


def claim_release(app: Orchestrator, case_id: UUID, task_id: UUID) -> None:
    """The cheapest pair of commands: each loads the case and appends one event."""
    app.claim_task(ClaimTask(case_id, task_id, ACTOR))
    app.release_task(ReleaseTask(case_id, task_id, ACTOR))


# -- fill workers (also usable in-process) ------------------------------------------------------

_WORKER: dict[str, Any] = {}


def load_sop_9_3(processes_dir: Path = PROJECT_ROOT / "processes") -> ProcessModel:
    roles = RoleRegistry.load(processes_dir / "roles.yaml")
    return load_model(PROCESS, (processes_dir / BPMN_FILE).read_bytes(), roles)


def init_worker(processes_dir: str) -> None:
    _WORKER["model"] = load_sop_9_3(Path(processes_dir))
    _WORKER["engine"] = Engine()
    _WORKER["standard"] = load_standards(Path(processes_dir) / "catalogue").get(PROCESS)


@cache
def _rework_model(processes_dir: Path = PROJECT_ROOT / "processes") -> ProcessModel:
    roles = RoleRegistry.load(processes_dir / "roles.yaml")
    return load_model(REWORK, (BENCH_BPMN / f"{REWORK}.bpmn").read_bytes(), roles)


def grow_rework(number: int, steps: int, version: int, year: int) -> Case:
    """A ``bench_rework`` case (deployed as ``version``), started and walked round its loop
    ``steps`` times in memory, not yet saved: each time a claim and a real completion (form
    check, engine restore/run/checkpoint) that sends it back, as ``claim_task`` and
    ``complete_task`` would record them."""
    model = _rework_model()
    engine: Engine = _WORKER.setdefault("engine", Engine())
    case = Case.start(model, version, {}, ACTOR, engine, None,
                      format_number(REWORK, year, number + 1))
    for _ in range(steps):
        task = the_open_task(case)
        assert task is not None
        case.claim(UUID(task.task_id), ACTOR)
        case.complete_task(UUID(task.task_id), dict(REWORK_AGAIN), ACTOR, model, engine)
    return case


def make_batch(first: int, count: int, walk_every: int, version: int, year: int) -> list[Case]:
    """Cases ``first``…``first+count-1``, started and walked in memory, not yet saved. Their
    registration numbers follow the fill's own numbering (cases started by commands while
    measuring take numbers from the counter, so a few numbers may repeat: harmless here)."""
    model: ProcessModel = _WORKER["model"]
    engine: Engine = _WORKER["engine"]
    cases = []
    for number in range(first, first + count):
        case = Case.start(model, version, case_data(number), ACTOR, engine, _WORKER["standard"],
                          format_number(PROCESS, year, number + 1))
        for _ in range(walk_steps(number, walk_every)):
            task = the_open_task(case)
            assert task is not None
            case.complete_task(UUID(task.task_id), step_data(task.element_id), ACTOR, model,
                               engine)
        cases.append(case)
    return cases
