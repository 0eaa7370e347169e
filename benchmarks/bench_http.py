"""[http_completions] Sustained SOP 9.3 task completions per second over HTTP, in the
production shape (gunicorn, 4 sync workers, ``alur.wsgi:create()``; a separate projection
runner) on a fresh PostgreSQL store, loaded from loopback; against the same server and load
generator fetching a small static file. Profiled under the same load after the measuring
window (py-spy, or pyinstrument inside one worker), with PostgreSQL's side sampled alike."""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alur.bootstrap import seed_demo_users
from alur.config import PROJECT_ROOT
from benchmarks import cpu, profiling, workload
from benchmarks.context import Context
from benchmarks.loadgen import REFUSED_LOGIN, STATIC_PATH, Load, Plan, Sample, ok
from benchmarks.profiled_wsgi import TRIGGER_ENV
from benchmarks.server import APP, APP_NAME, Cluster
from benchmarks.stores import Store, services_on
from benchmarks.timing import Result, ms, not_applicable, percentile, result, say

WORKERS = 4
LOAD_PROCESSES = 2
THREADS = 4  # virtual users per load process: 8 in all, twice the workers
TARGET_PER_S = 150.0
INSTANCES_TARGET_PER_S = 200.0  # http_instances (issue 14; Camunda 8.8 publishes ~160 at 2 CPUs)
SQLITE_THREADS = 8  # SQLite's one serving process: gunicorn --workers 1 --threads 8
RESULTS_DIR = Path(__file__).resolve().parent / "results"
PROFILED_APP = "benchmarks.profiled_wsgi:create()"


@dataclass(frozen=True)
class Run:
    """One load: every sample, the measuring window and the cores used in it."""

    samples: list[Sample]
    examples: dict[str, str]  # "kind status" → body of the first such answer
    began: float
    ended: float
    cores: dict[str, float]
    profile: dict[str, Any]

    @property
    def seconds(self) -> float:
        return self.ended - self.began

    def window(self) -> list[Sample]:
        """The requests that ended inside the window."""
        return [s for s in self.samples if self.began <= s[3] < self.ended]

    def count(self, kind: str) -> int:
        """Successful requests of ``kind`` in the window."""
        return sum(1 for s in self.window() if s[0] == kind and ok(s[1]))

    def per_s(self, kind: str) -> float:
        return self.count(kind) / self.seconds

    def latency(self, kind: str) -> dict[str, float]:
        took = [s[3] - s[2] for s in self.window() if s[0] == kind and ok(s[1])]
        if not took:
            return {"samples": 0}
        return {"p50_ms": ms(percentile(took, 50)), "p95_ms": ms(percentile(took, 95)),
                "p99_ms": ms(percentile(took, 99)), "samples": len(took)}

    def errors(self) -> dict[str, int]:
        """Failed requests of the whole load (logins, warm-up, window, profile) by kind and
        status: every non-2xx answer, or the exception when none came."""
        return dict(Counter(f"{s[0]} {s[1]}" for s in self.samples
                            if not ok(s[1]) and s[0] != REFUSED_LOGIN))

    def refused_logins(self) -> int:
        """Logins refused with 429 while the users logged in (retried; not errors)."""
        return sum(1 for s in self.samples if s[0] == REFUSED_LOGIN)


def _roles(server: Cluster, load: Load) -> dict[str, list[int]]:
    return {**server.pids(), "load_generator": load.pids()}


def _run(server: Cluster, script: str, ctx: Context,
         profiler: profiling.Choice | None = None) -> Run:
    """Load the server with ``script``: warm up, measure, then profile (if a profiler is
    given) while the load goes on."""
    plan = Plan("127.0.0.1", server.port, script, THREADS)
    with Load(plan, LOAD_PROCESSES) as load:
        say(f"  {script}: {ctx.scale.http_warmup_s:g} s warm-up, "
            f"{ctx.scale.http_seconds:g} s measured")
        time.sleep(ctx.scale.http_warmup_s)
        before, began = cpu.snapshot(_roles(server, load)), time.monotonic()
        time.sleep(ctx.scale.http_seconds)
        ended, after = time.monotonic(), cpu.snapshot(_roles(server, load))
        taken = _profile(server, profiler, ctx.scale.http_profile_s) if profiler else {}
    if load.errors:
        raise RuntimeError("the load generator failed:\n" + "\n".join(load.errors))
    return Run(load.samples, load.examples, began, ended, cpu.cores_used(before, after), taken)


def _cpu_ms(cores: dict[str, float], per_s: float) -> dict[str, float]:
    """CPU milliseconds per unit of work (a completion, a static request) by server role:
    cores busy ÷ units per second; ``server`` is their sum."""
    spent = {role: cores[role] * 1000 / per_s for role in ("gunicorn", "runner", "postgres")}
    return {**{r: round(v, 2) for r, v in spent.items()}, "server": round(sum(spent.values()), 2)}


def _profile(server: Cluster, profiler: profiling.Choice, seconds: float) -> dict[str, Any]:
    """Profile the server under the same load for ``seconds``, and sample what its PostgreSQL
    backends do meanwhile; a failure is reported, it does not fail the benchmark."""
    say(f"  profiling {seconds:g} s with {profiler.tool} ({profiler.why})")
    with ThreadPoolExecutor(1) as pool:
        backends = pool.submit(profiling.sample_backends, server.store.base_url, APP_NAME,
                               seconds) if server.store.base_url else None
        try:
            taken = _stacks(server, profiler.tool, seconds)
        except (OSError, RuntimeError, ValueError) as exc:
            taken = {"error": f"{type(exc).__name__}: {exc}"}
        return {**profiler._asdict(), **taken,
                **({"postgres": backends.result()} if backends else {})}


def _stacks(server: Cluster, tool: str, seconds: float) -> dict[str, Any]:
    """The workers' stacks for ``seconds`` by ``tool``: the file written and the summary."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')
    stem = RESULTS_DIR / f"{stamp}-http-{server.store.kind}-{tool}"
    thread = profiling.GTHREAD_REQUEST_THREAD if server.threads > 1 else profiling.REQUEST_THREAD
    if tool == "py-spy":
        path = stem.with_name(f"{stem.name}.speedscope.json")
        stacks = profiling.record_py_spy(server.procs["gunicorn"].pid, server.worker_pids(),
                                         seconds, path, thread)
    elif tool == "pyinstrument":
        path, stacks = _self_profile(server, seconds, stem)
    else:
        return {}
    return {"seconds": seconds, "file": str(path.relative_to(PROJECT_ROOT)),
            **profiling.summary(stacks, "samples" if tool == "py-spy" else "seconds")}


def _self_profile(server: Cluster, seconds: float, stem: Path,
                  ) -> tuple[Path, profiling.Stacks]:
    """pyinstrument in one worker (``profiled_wsgi``): trigger it, wait for its files."""
    Path(server.env[TRIGGER_ENV]).write_text(f"{seconds}\n{stem}")
    stacks = Path(f"{stem}.stacks.json")
    deadline = time.monotonic() + seconds + 30
    while not stacks.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    return Path(f"{stem}.speedscope.json"), profiling.read_stacks(stacks)


def _seed(store: Store) -> None:
    """Every process deployed (and the benchmark's one-task process) and the demo users
    seeded, as a release step would; the services are closed again before the server starts
    (their connections count)."""
    with services_on(store) as services:
        seed_demo_users(services)
        workload.deploy_bench_process(services.orchestrator, workload.ONE_TASK)


def _server(store: Store, profiler: profiling.Choice) -> Cluster:
    """The cluster to start: the production entry point, or with pyinstrument inside one
    worker when py-spy cannot attach. PostgreSQL: ``WORKERS`` sync workers and a projection
    runner; SQLite: the one serving process it allows (``alur.wsgi``), one worker with
    ``SQLITE_THREADS`` threads and the projections in process."""
    shape: dict[str, Any] = ({"workers": WORKERS} if store.kind == "postgres" else
                             {"workers": 1, "threads": SQLITE_THREADS, "runner": False})
    if profiler.tool == "pyinstrument":
        return Cluster(store, app=PROFILED_APP,
                       env={TRIGGER_ENV: str(store.directory / "profile-trigger")}, **shape)
    return Cluster(store, app=APP, **shape)


def _setup(server: Cluster) -> dict[str, Any]:
    if server.runner:
        return {"server": f"gunicorn, {server.workers} sync workers",
                "runner": "alur projections run"}
    return {"server": f"gunicorn, {server.workers} worker, {server.threads} threads (gthread)",
            "runner": "none: projections in the server process"}


def _subject(run: Run) -> dict[str, Any]:
    window, completion, errors = run.window(), run.latency("complete"), run.errors()
    return {
        "completions_per_s": round(run.per_s("complete"), 1), "p95_ms": completion["p95_ms"],
        "errors": sum(errors.values()), "errors_by_status": errors,
        "errors_in_window": sum(1 for s in window if not ok(s[1])),
        "error_bodies": run.examples, "refused_logins": run.refused_logins(),
        "completion": completion,
        "cases_started": run.count("start"),
        "requests_per_s": round(len(window) / run.seconds, 1),
        "start_case": run.latency("start"), "get_case": run.latency("case"),
    }


def _baseline(run: Run) -> dict[str, Any]:
    errors = run.errors()
    return {"path": STATIC_PATH, "requests_per_s": round(run.per_s("static"), 1),
            **run.latency("static"), "errors": sum(errors.values()), "errors_by_status": errors,
            "error_bodies": run.examples}


def _cpu(subject: Run, baseline: Run, unit: str = "complete",
         name: str = "completion") -> dict[str, Any]:
    """Cores used by role in each window, CPU per unit of work, and the units/s the
    machine's cores would carry at that cost if the server side had them all."""
    per_completion = _cpu_ms(subject.cores, subject.per_s(unit))
    return {"cores": {"subject": subject.cores, "baseline": baseline.cores},
            f"cpu_ms_per_{name}": per_completion,
            "cpu_ms_per_static_request": _cpu_ms(baseline.cores, baseline.per_s("static")),
            "cpu_ceiling_per_s": round((os.cpu_count() or 1) * 1000 / per_completion["server"],
                                       1)}


def http_completions(ctx: Context) -> Result:
    if ctx.kind != "postgres":
        return not_applicable("http_completions", ctx.kind,
                              "PostgreSQL only: several server processes share the store")
    profiler = profiling.choose()
    with ctx.fresh("http") as store:
        _seed(store)
        with _server(store, profiler) as server:
            say(f"  gunicorn ({WORKERS} workers) on port {server.port}, runner up")
            subject = _run(server, "sop_9_3", ctx, profiler)
            baseline = _run(server, "static", ctx)
    per_s, base_per_s = subject.per_s("complete"), baseline.per_s("static")
    if not per_s or not base_per_s:
        raise RuntimeError(f"nothing done in a window: {subject.errors()}, {baseline.errors()}")
    figures = _subject(subject)
    return result(
        "http_completions", ctx.kind, ratio=per_s / base_per_s,
        target=f">= {TARGET_PER_S:g} completions/s, 0 errors",
        met=per_s >= TARGET_PER_S and not figures["errors"], **figures,
        baseline=_baseline(baseline), **_cpu(subject, baseline),
        setup={"server": f"gunicorn, {WORKERS} sync workers", "runner": "alur projections run",
               "load_processes": LOAD_PROCESSES, "virtual_users": LOAD_PROCESSES * THREADS,
               "warmup_s": ctx.scale.http_warmup_s, "window_s": round(subject.seconds, 2)},
        profile=subject.profile,
    )


def http_instances(ctx: Context) -> Result:
    """One-task process instances per second over HTTP: each virtual user starts a
    ``bench_one_task`` case (``POST /cases``), claims and completes its one task on the write
    side, then the next; both stores, each in the shape it supports (see ``_server``)."""
    profiler = profiling.choose()
    with ctx.fresh("http1") as store:
        _seed(store)
        with _server(store, profiler) as server:
            say(f"  {_setup(server)['server']} on port {server.port}")
            subject = _run(server, "one_task", ctx, profiler)
            baseline = _run(server, "static", ctx)
    per_s, base_per_s = subject.per_s("instance"), baseline.per_s("static")
    if not per_s or not base_per_s:
        raise RuntimeError(f"nothing done in a window: {subject.errors()}, {baseline.errors()}")
    errors = subject.errors()
    window = subject.window()
    return result(
        "http_instances", ctx.kind, ratio=per_s / base_per_s,
        target=f">= {INSTANCES_TARGET_PER_S:g} instances/s, 0 errors",
        met=per_s >= INSTANCES_TARGET_PER_S and not errors,
        instances_per_s=round(per_s, 1), instance=subject.latency("instance"),
        errors=sum(errors.values()), errors_by_status=errors,
        errors_in_window=sum(1 for s in window if not ok(s[1])),
        error_bodies=subject.examples, refused_logins=subject.refused_logins(),
        requests_per_s=round(len(window) / subject.seconds, 1),
        start_case=subject.latency("start"), claim=subject.latency("claim"),
        complete=subject.latency("complete"),
        baseline=_baseline(baseline), **_cpu(subject, baseline, "instance", "instance"),
        setup={**_setup(server), "process": workload.ONE_TASK,
               "load_processes": LOAD_PROCESSES, "virtual_users": LOAD_PROCESSES * THREADS,
               "warmup_s": ctx.scale.http_warmup_s, "window_s": round(subject.seconds, 2)},
        profile=subject.profile,
    )
