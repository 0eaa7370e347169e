"""The shared big store of one kind: grown monotonically, used by the store-size, rebuild and
inbox benchmarks (so that one fill serves all three)."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError

from alur.bootstrap import Services
from benchmarks import workload
from benchmarks.stores import Store
from benchmarks.timing import now, say
from orchestrator.case import Case
from orchestrator.registration import RegistrationCounter, counter_id

BATCH = 50  # cases per saved batch (about 230 events, one transaction)


class Workbench:
    """A store that only grows: started cases, every ``walk_every``-th walked 1–6 steps."""

    def __init__(self, store: Store, services: Services, pool: Executor | None,
                 walk_every: int) -> None:
        self.store = store
        self.services = services
        self.app = services.orchestrator
        self.pool = pool
        self.walk_every = walk_every
        self.model, self.version = self.app.model(workload.PROCESS)
        self.open: dict[UUID, tuple[UUID, str]] = {}  # case id -> (open task id, lane)
        self.case_ids: list[UUID] = []
        self._next = 0
        self._ready: deque[list[Case]] = deque()
        self._year = datetime.now(ZoneInfo(services.config.timezone)).year
        self._counter: RegistrationCounter | None = None
        if pool is None:
            workload.init_worker(str(services.config.processes_dir))

    @property
    def events(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def grow_to_events(self, target: int) -> None:
        self._grow(lambda: self.events >= target, f"{target} events")

    def grow_to_open_tasks(self, target: int) -> None:
        self._grow(lambda: len(self.open) >= target, f"{target} open tasks")

    def random_open(self, rng: random.Random) -> tuple[UUID, UUID]:
        """A case with an open task, and that task."""
        while True:
            case_id = rng.choice(self.case_ids)
            if case_id in self.open:
                return case_id, self.open[case_id][0]

    def adopt(self, case_id: UUID) -> None:
        """Track a case started by a command (not by the fill); its counter number too."""
        self.case_ids.append(case_id)
        self.refresh(case_id)
        self._counter = None  # reload: the command issued a number

    def refresh(self, case_id: UUID) -> None:
        """Re-read a case's open task after a command moved it on."""
        task = workload.the_open_task(self.app.get_case(case_id))
        if task is None:
            self.open.pop(case_id, None)
        else:
            self.open[case_id] = (UUID(task.task_id), task.lane)

    def _grow(self, done: Callable[[], bool], goal: str) -> None:
        if done():
            return
        started, before = now(), self.events
        inflight: deque[Future[list[Case]]] = deque()
        while not done():
            self._save(self._next_batch(inflight))
        # let the workers finish what they hold, so that nothing runs while we measure
        self._ready.extend(future.result() for future in inflight)
        took = now() - started
        say(f"  fill: {goal} reached ({self.events - before} events in {took:.1f} s;"
            f" {self.events} events, {len(self.open)} open tasks)")

    def _next_batch(self, inflight: deque[Future[list[Case]]]) -> list[Case]:
        if self._ready:
            return self._ready.popleft()
        if self.pool is None:
            return workload.make_batch(*self._claim_numbers())
        while len(inflight) < 4:
            inflight.append(self.pool.submit(workload.make_batch, *self._claim_numbers()))
        return inflight.popleft().result()

    def _claim_numbers(self) -> tuple[int, int, int, int, int]:
        first, self._next = self._next, self._next + BATCH
        return first, BATCH, self.walk_every, self.version, self._year

    def _registration_counter(self) -> RegistrationCounter:
        """The process's counter, kept in memory between batches (loading it replays every
        number issued this year)."""
        if self._counter is None:
            try:
                self._counter = self.app.repository.get(counter_id(workload.PROCESS, self._year))
            except AggregateNotFoundError:
                self._counter = RegistrationCounter(key=workload.PROCESS, year=self._year)
        return self._counter

    def _save(self, cases: list[Case]) -> None:
        if cases[0].bpmn_sha256 != self.model.sha256:
            raise RuntimeError("fill workers parsed another BPMN than the deployed one")
        counter = self._registration_counter()
        for _ in cases:
            counter.issue(counter.last + 1)
        self.app.save(*cases, counter)
        for case in cases:
            self.case_ids.append(case.id)
            task = workload.the_open_task(case)
            if task is not None:
                self.open[case.id] = (UUID(task.task_id), task.lane)
