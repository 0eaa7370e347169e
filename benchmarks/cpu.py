"""CPU time of processes and of the machine from ``/proc`` (Linux), to say where the cores
went while a load ran: per role (server, runner, PostgreSQL backends, load generator) and in
all. CPU seconds do not grow when the machine is busy (waiting for a core is not counted), so
CPU per request is the figure that other people's load disturbs least."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float | None:
    """User plus system CPU seconds of one process so far; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15)


def machine_busy_seconds() -> float:
    """Busy CPU seconds of all cores since boot (``/proc/stat``: all but idle and iowait;
    guest time is already counted in user time)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


@dataclass(frozen=True)
class Snapshot:
    at: float  # monotonic clock
    by_role: dict[str, dict[int, float]]
    machine: float  # busy seconds


def snapshot(roles: dict[str, list[int]]) -> Snapshot:
    """CPU seconds so far of each role's processes (pid → seconds) and of the machine."""
    by_role = {role: {pid: s for pid in pids if (s := process_seconds(pid)) is not None}
               for role, pids in roles.items()}
    return Snapshot(time.monotonic(), by_role, machine_busy_seconds())


def cores_used(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """Average cores each role kept busy between two snapshots, the machine's busy cores and
    the rest (``other``: processes outside every role). A process that ended in between counts
    for nothing; one that began counts from its start."""
    seconds = after.at - before.at
    busy = after.machine - before.machine
    used = {}
    for role, now in after.by_role.items():
        then = before.by_role.get(role, {})
        used[role] = sum(s - then.get(pid, 0.0) for pid, s in now.items()) / seconds
    used["other"] = busy / seconds - sum(used.values())
    used["machine_busy"] = busy / seconds
    return {role: round(cores, 3) for role, cores in used.items()}
