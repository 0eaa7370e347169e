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


def own(tasks: dict[str, dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """The tasks of a process that model its own flowchart's rows (not a linked flowchart's,
    whose tasks carry ``flowchart``: SOP 9.22-b and -c inside 9.22)."""
    return {e: t for e, t in tasks.items() if t["properties"].get("flowchart", key) == key}


def bind(tasks: dict[str, dict[str, Any]], chart: dict[str, Any]) -> dict[int, str]:
    """Each row's ``step`` → the element id of the one user task that models it (the tasks
    of the chart itself: those of a linked flowchart carry its key as ``flowchart``)."""
    steps = {_key(printed(r), r["activity"]): r["step"] for r in chart["rows"]}
    assert len(steps) == len(chart["rows"]), f"{chart['key']}: two rows share number and text"
    bound: dict[int, str] = {}
    for element_id, task in own(tasks, chart["key"]).items():
        props = task["properties"]
        step = steps.get(_key(props.get("row", ""), props.get("activity", "")))
        assert step is not None, f"{element_id}: row {props.get('row')!r} is not in the catalogue"
        assert step not in bound, f"row {props.get('row')!r} is modelled twice " \
                                  f"({bound.get(step)}, {element_id})"
        bound[step] = element_id
    return bound


def bind_all(tasks: dict[str, dict[str, Any]], key: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every user task of process ``key`` → (the flowchart it models a row of, that row): its
    own and those of the flowcharts it hands off to (``continues_in``)."""
    charts = flowcharts()
    keys = {key} | {t["properties"]["flowchart"] for t in tasks.values()
                    if "flowchart" in t["properties"]}
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for chart_key in keys:
        rows = {r["step"]: r for r in charts[chart_key]["rows"]}
        linked = {e: t for e, t in tasks.items()
                  if t["properties"].get("flowchart", key) == chart_key}
        for step, element_id in bind(linked, charts[chart_key]).items():
            found[element_id] = (chart_key, rows[step])
    return found
