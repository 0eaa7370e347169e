"""The hot-path profile of http_completions, taken while the load runs (after the measuring
window, so that sampling does not slow the figures down).

py-spy (default) attaches to the gunicorn master with ``--subprocesses --idle`` and samples
every worker at 100 Hz, wall clock: a sample is 10 ms of one worker's request thread, whether
it computes, waits for PostgreSQL, sleeps or waits for the next request. It writes a
speedscope file (open it at https://www.speedscope.app). When py-spy cannot attach (not
installed, or ptrace refused), one worker profiles itself with pyinstrument instead
(``benchmarks.profiled_wsgi``), also wall clock. Either way the stacks are summed up here:
each function's share as the leaf (own) and anywhere on the stack (total), own time by
package, and time by API view.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import psycopg

from alur.config import PROJECT_ROOT

Frame = tuple[str, str, int]  # function, file, first line of the function
Stacks = dict[tuple[Frame, ...], float]  # root → leaf: samples (py-spy) or seconds
TOOL_ENV = "ALUR_BENCH_PROFILER"  # "py-spy" (default), "pyinstrument" or "none"
RATE_HZ = 100
# a sync worker serves every request in its main thread; the others are psycopg pool threads
REQUEST_THREAD = "MainThread"
# a gthread worker (gunicorn --threads) serves them in its executor's threads
GTHREAD_REQUEST_THREAD = "ThreadPoolExecutor"
PROJECT_PACKAGES = ("api", "orchestrator", "projections", "alur")
TOP = 15


def py_spy() -> str:
    """The py-spy executable beside this interpreter, or on PATH ("" if none)."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy") or ""


class Choice(NamedTuple):
    tool: str  # "py-spy", "pyinstrument" or "none"
    why: str


def choose() -> Choice:
    """The profiler to use and why: py-spy if it can attach to a process of ours."""
    wanted = os.environ.get(TOOL_ENV, "py-spy")
    if wanted == "pyinstrument":
        return _instead(f"{TOOL_ENV}=pyinstrument")
    if wanted != "py-spy":
        return Choice("none", f"{TOOL_ENV}={wanted}")
    if not (exe := py_spy()):
        return _instead("py-spy is not installed (pip install -e '.[bench]')")
    ready = "import time; print('ready', flush=True); time.sleep(30)"
    with subprocess.Popen([sys.executable, "-c", ready], stdout=subprocess.PIPE) as probe:
        try:
            assert probe.stdout is not None
            probe.stdout.readline()  # the interpreter is up
            dump = subprocess.run([exe, "dump", "--pid", str(probe.pid)], capture_output=True,
                                  text=True, timeout=30, check=False)
        finally:
            probe.kill()
    if dump.returncode != 0:
        return _instead(f"py-spy cannot attach: {dump.stderr.strip()[-300:]}")
    return Choice("py-spy", "py-spy attaches")


def _instead(why: str) -> Choice:
    """pyinstrument when py-spy is out, if it is installed."""
    if importlib.util.find_spec("pyinstrument") is None:
        return Choice("none", f"{why}; pyinstrument is not installed either")
    return Choice("pyinstrument", why)


def record_py_spy(master: int, workers: list[int], seconds: float, path: Path,
                  thread: str = REQUEST_THREAD) -> Stacks:
    """Sample gunicorn's ``master`` and its workers for ``seconds``, idle time included (wall
    clock); a speedscope file at ``path``; the request threads of ``workers`` (those whose
    name starts with ``thread``) summed up."""
    command = [py_spy(), "record", "--pid", str(master), "--subprocesses", "--idle",
               "--function", "--full-filenames", "--rate", str(RATE_HZ),
               "--duration", str(round(seconds)), "--format", "speedscope", "--output", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                          check=False)
    if done.returncode != 0 or not path.exists():
        raise RuntimeError(f"py-spy record failed ({done.returncode}): {done.stderr[-500:]}")
    return read_speedscope(path, workers, thread)


def sample_backends(url: str, prefix: str, seconds: float, hz: float = 20.0,
                    ) -> dict[str, Any]:
    """PostgreSQL's side of the profile: ``pg_stat_activity`` of the backends whose
    ``application_name`` is ``<prefix>-<process>``, polled ``hz`` times a second for
    ``seconds``; how many backends of each process were, on average, in each state
    (``active`` without a wait event: on CPU or runnable; ``idle in transaction``: waiting for
    its client inside a transaction; ``idle: Client/ClientRead``: an idle pooled connection)."""
    states: Counter[str] = Counter()
    polls = 0
    query = ("SELECT application_name, state, wait_event_type, wait_event"
             " FROM pg_stat_activity WHERE application_name LIKE %s")
    with psycopg.connect(url, autocommit=True) as conn:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for name, state, kind, event in conn.execute(query, (f"{prefix}-%",)).fetchall():
                process = name.removeprefix(f"{prefix}-")
                states[f"{process} {state}" + (f": {kind}/{event}" if kind else "")] += 1
            polls += 1
            time.sleep(1 / hz)
    return {"polls": polls, "mean_backends": {
        key: round(n / polls, 3) for key, n in states.most_common()} if polls else {}}


def read_speedscope(path: Path, pids: list[int], thread: str = REQUEST_THREAD) -> Stacks:
    """The samples of the threads named ``thread…`` in the processes ``pids`` of a py-spy
    speedscope file (profiles are named ``Process <pid> Thread <tid> "<name>"``), one sample
    each; the leading ``process N:"…"`` frames that ``--subprocesses`` adds are dropped."""
    doc = json.loads(path.read_text())
    frames = [(f["name"], f.get("file") or "", int(f.get("line") or 0))
              for f in doc["shared"]["frames"]]
    stacks: Counter[tuple[Frame, ...]] = Counter()
    for profile in doc["profiles"]:
        name = profile["name"].split()
        if int(name[1]) in pids and name[-1].strip('"').startswith(thread):
            for sample in profile["samples"]:
                stack = tuple(frames[i] for i in sample)
                stacks[tuple(f for f in stack if not f[0].startswith("process "))] += 1
    return dict(stacks)


def read_stacks(path: Path) -> Stacks:
    """The stacks ``profiled_wsgi`` writes: ``{"frames": [[function, file, line], …],
    "stacks": [[[frame index, …], seconds], …]}``."""
    doc = json.loads(path.read_text())
    frames = [(str(f[0]), str(f[1]), int(f[2])) for f in doc["frames"]]
    stacks: Counter[tuple[Frame, ...]] = Counter()
    for stack, seconds in doc["stacks"]:
        stacks[tuple(frames[i] for i in stack)] += seconds
    return dict(stacks)


def short_path(file: str) -> str:
    """A file as package-relative path: ``psycopg/cursor.py``, ``orchestrator/case.py``,
    ``stdlib/json/encoder.py``."""
    if "site-packages/" in file:
        return file.rsplit("site-packages/", 1)[1]
    if file.startswith(str(PROJECT_ROOT) + "/"):
        return file[len(str(PROJECT_ROOT)) + 1:]
    if "/lib/python3" in file:
        return "stdlib/" + file.rsplit("/lib/python3", 1)[1].split("/", 1)[-1]
    return file


def package(file: str) -> str:
    short = short_path(file)
    parts = short.split("/")
    if parts[0] == "stdlib" and len(parts) > 1:
        return f"stdlib/{parts[1].removesuffix('.py')}"
    return parts[0].removesuffix(".py")


def label(frame: Frame) -> str:
    return f"{frame[0]} ({short_path(frame[1])}:{frame[2]})"


def _view(stack: tuple[Frame, ...]) -> str:
    """The API module function nearest the root: the view (or before-request hook)."""
    return next((label(f) for f in stack if short_path(f[1]).startswith("api/")), "(no view)")


def _shares(counter: Counter[Any], total: float, top: int | None = None) -> dict[str, float]:
    return {str(key): round(value / total, 4) for key, value in counter.most_common(top)}


def summary(stacks: Stacks, unit: str) -> dict[str, Any]:
    """Shares of the samples: the top functions by own time (anywhere) and by total time
    (Alur's own code only: the framework's wrappers would fill that list at ~100 %), own
    time by package, and samples by API view."""
    own: Counter[Frame] = Counter()
    total: Counter[Frame] = Counter()
    packages: Counter[str] = Counter()
    views: Counter[str] = Counter()
    for stack, weight in stacks.items():
        if not stack:
            continue
        own[stack[-1]] += weight
        packages[package(stack[-1][1])] += weight
        views[_view(stack)] += weight
        for frame in set(stack):
            total[frame] += weight
    weight = sum(stacks.values())
    if not weight:
        return {unit: 0}
    return {
        unit: round(weight, 3),
        "top_own": [{"function": label(f), "own": round(w / weight, 4),
                     "total": round(total[f] / weight, 4)} for f, w in own.most_common(TOP)],
        "top_total_alur": [{"function": label(f), "total": round(w / weight, 4),
                            "own": round(own[f] / weight, 4)}
                           for f, w in total.most_common() if package(f[1]) in PROJECT_PACKAGES
                           ][:TOP],
        "own_by_package": _shares(packages, weight, TOP),
        "by_view": _shares(views, weight),
    }
