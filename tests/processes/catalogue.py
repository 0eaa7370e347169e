"""The catalogue's flowcharts, keyed by process id (SOPs and services without an SOP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2] / "processes"


def flowcharts() -> dict[str, dict[str, Any]]:
    charts = {}
    for path in sorted(ROOT.glob("catalogue/*.yaml")):
        for chart in yaml.safe_load(path.read_text()).get("flowcharts") or []:
            charts[chart["key"]] = chart
    return charts
