"""Clocks, percentiles and the result record shared by every benchmark."""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Result = dict[str, Any]


def now() -> float:
    return time.perf_counter()


def timed(func: Callable[[], Any]) -> float:
    """Seconds taken by one call of ``func``."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def ms(seconds: float) -> float:
    """Seconds to milliseconds, rounded for the report."""
    return round(seconds * 1000, 3)


def spread(samples: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds, plus the sample count."""
    return {"p50_ms": ms(percentile(samples, 50)), "p95_ms": ms(percentile(samples, 95)),
            "samples": len(samples)}


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Measure without the fill's garbage in the collector's way: collect, then freeze what
    exists so that later collections only scan objects made while measuring (same for the
    subject and its baseline)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def result(name: str, store: str, *, ratio: float, target: str, met: bool,
           **figures: Any) -> Result:
    """The record every benchmark returns (figures between the identity and the verdict)."""
    return {"name": name, "store": store, **figures, "ratio": round(ratio, 3),
            "target": target, "met": bool(met)}


def not_applicable(name: str, store: str, reason: str) -> Result:
    """The record of a benchmark that does not run on this store: neither met nor missed."""
    return {"name": name, "store": store, "skipped": reason, "met": None}


_T0 = time.perf_counter()


def say(message: str) -> None:
    """Progress on stderr, with the seconds since the run began."""
    print(f"[{time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)
