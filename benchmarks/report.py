"""The JSON document of a run and its text summary."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.context import Scale
from benchmarks.timing import Result

PACKAGES = ("SpiffWorkflow", "eventsourcing", "psycopg", "Flask")
IDENTITY = ("name", "store", "ratio", "target", "met")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def document(results: list[Result], scale: Scale, started_at: datetime, seconds: float,
             skipped: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "started_at": started_at.isoformat(timespec="seconds"),
        "mode": scale.mode,
        "duration_s": round(seconds, 1),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count()},
        "packages": {p: _version(p) for p in PACKAGES},
        "scale": asdict(scale),
        "skipped": skipped,
        "results": results,
    }


def write(doc: dict[str, Any], directory: Path, started_at: datetime) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _flat(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in _flat(sub, f"{prefix}{key}.")]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [item for i, sub in enumerate(value) for item in _flat(sub, f"{prefix}{i}.")]
    return [f"{prefix.rstrip('.')}={value}"]


def _verdict(row: Result) -> str:
    if "error" in row:
        return "ERROR"
    if "skipped" in row:
        return "n/a"
    return "met" if row["met"] else "MISSED"


def summary(doc: dict[str, Any]) -> str:
    lines = [f"Alur benchmarks, {doc['mode']} mode, {doc['started_at']},"
             f" {doc['duration_s']} s, {doc['machine']['cpus']} cpus"]
    header = f"{'benchmark':<20}{'store':<10}{'ratio':>9}  {'target':<34}{'verdict':<8}"
    lines += ["", header, "-" * len(header)]
    for row in doc["results"]:
        ratio = f"{row['ratio']:.3f}" if "ratio" in row else "-"
        lines.append(f"{row['name']:<20}{row['store']:<10}{ratio:>9}  "
                     f"{row.get('target', '-'):<34}{_verdict(row):<8}")
    for skip in doc["skipped"]:
        lines.append(f"(skipped {skip['store']}: {skip['reason']})")
    lines += ["", "figures:"]
    for row in doc["results"]:
        figures = {k: v for k, v in row.items() if k not in IDENTITY}
        lines.append(f"  {row['name']} / {row['store']}:")
        lines += [f"    {item}" for item in _flat(figures)]
    return "\n".join(lines)
