"""What a benchmark is given: the store kind, the sizes of this mode, fresh stores on demand
and the shared big store of the kind (built once, on first use)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field

from benchmarks.stores import Store, fresh_store, services_on
from benchmarks.workbench import Workbench


@dataclass(frozen=True)
class Scale:
    """Sizes of one mode (``QUICK`` aims at about two minutes on two cores; see README)."""

    mode: str
    engine_cases: int  # SOP 9.3 cases on each side of engine_overhead
    store_levels: tuple[int, ...]  # events already stored
    store_rounds: int  # rounds over the levels; each: 5 pairs, 2 completes, 1 start
    history_levels: tuple[int, ...]  # completed steps of a rework-loop case
    history_cases: int  # cases per level
    history_steps: int  # steps (claim + complete) measured on each case, cold and warm
    rebuild_events: int
    inbox_open_tasks: int
    inbox_queries: int
    walk_every: int = 20  # every n-th filled case is walked 1 to 6 steps
    http_seconds: float = 60.0  # http_completions: the measuring window of each load
    http_warmup_s: float = 10.0  # load before the window (workers boot, caches fill)
    http_profile_s: float = 10.0  # load after the subject's window, sampled by the profiler
    timer_pending: int = 10**4  # scheduler_timers: pending timers in the large store


QUICK = Scale("quick", engine_cases=15, store_levels=(10**3, 10**4), store_rounds=30,
              history_levels=(10, 100, 1000), history_cases=2, history_steps=26,
              rebuild_events=2 * 10**4, inbox_open_tasks=10**4, inbox_queries=300,
              http_seconds=15.0, http_warmup_s=5.0)
FULL = Scale("full", engine_cases=50, store_levels=(10**3, 10**4, 10**5), store_rounds=80,
             history_levels=(10, 100, 1000), history_cases=4, history_steps=50,
             rebuild_events=10**5, inbox_open_tasks=10**5, inbox_queries=1000,
             timer_pending=10**5)


@dataclass
class Context:
    kind: str  # "sqlite" or "postgres"
    scale: Scale
    pg_url: str
    pool: Executor | None
    _stack: ExitStack = field(default_factory=ExitStack)
    _workbench: Workbench | None = None

    def fresh(self, purpose: str) -> AbstractContextManager[Store]:
        """A new, empty store of this kind, removed when the block ends."""
        return fresh_store(self.kind, purpose, self.pg_url)

    def workbench(self) -> Workbench:
        """The shared big store of this kind (store_size's largest level, rebuild, inbox)."""
        if self._workbench is None:
            self._workbench = self._stack.enter_context(self.extra_workbench("shared"))
        return self._workbench

    @contextmanager
    def extra_workbench(self, purpose: str) -> Iterator[Workbench]:
        """Another growing store of this kind, removed when the block ends. (On PostgreSQL
        each holds about 20 connections: a pool of 10 for the store and one per projection.)"""
        with self.fresh(purpose) as store, services_on(store) as services:
            yield Workbench(store, services, self.pool, self.scale.walk_every)

    def close(self) -> None:
        self._stack.close()
        self._workbench = None
