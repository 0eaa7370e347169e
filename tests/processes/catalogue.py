"""The catalogue's flowcharts, keyed by process id (SOPs and services without an SOP), and the
binding of a BPMN's user tasks to their rows.

A row's printed number (``row``, a string) is the decree's: it may repeat (SOP 9.16 prints two
rows "5") or be empty (the unnumbered rows of SOP 9.6). ``step`` is the catalogue's own unique
key in table order, which ``next`` refers to. A task is bound to its row by the printed number
and the activity together.
"""

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


def printed(row: dict[str, Any]) -> str:
    """The row's number as the decree prints it ("" where it prints none)."""
    return str(row["row"]) if "row" in row else str(row["step"])


def _key(number: str, activity: str) -> tuple[str, str]:
    return number, " ".join(activity.split())


def bind(tasks: dict[str, dict[str, Any]], chart: dict[str, Any]) -> dict[int, str]:
    """Each row's ``step`` → the element id of the one user task that models it."""
    steps = {_key(printed(r), r["activity"]): r["step"] for r in chart["rows"]}
    assert len(steps) == len(chart["rows"]), f"{chart['key']}: two rows share number and text"
    bound: dict[int, str] = {}
    for element_id, task in tasks.items():
        props = task["properties"]
        step = steps.get(_key(props.get("row", ""), props.get("activity", "")))
        assert step is not None, f"{element_id}: row {props.get('row')!r} is not in the catalogue"
        assert step not in bound, f"row {props.get('row')!r} is modelled twice " \
                                  f"({bound.get(step)}, {element_id})"
        bound[step] = element_id
    return bound
