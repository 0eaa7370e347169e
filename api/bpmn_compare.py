"""Compare BPMN documents: what changed between two versions, and how an upload conforms to
the catalogue (the decree's flowchart rows, by the tasks' ``row`` property and lane)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

from orchestrator.engine import ProcessModel
from orchestrator.yaml_files import load_yaml

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
_SKIP = {"extensionElements", "incoming", "outgoing", "flowNodeRef", "conditionExpression",
         "laneSet", "documentation", "text"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _properties(el: Element) -> dict[str, str]:
    found = el.find(f"{BPMN}extensionElements/{SPIFF}properties")
    if found is None:
        return {}
    return {p.get("name") or "": p.get("value") or "" for p in found.iter(f"{SPIFF}property")}


def _describe(el: Element) -> dict[str, Any]:
    described: dict[str, Any] = {"id": el.get("id"), "type": _local(el.tag),
                                 "name": el.get("name") or "", "properties": _properties(el)}
    for attr in ("sourceRef", "targetRef", "default"):
        if el.get(attr):
            described[attr] = el.get(attr)
    condition = el.find(f"{BPMN}conditionExpression")
    if condition is not None:
        described["condition"] = (condition.text or "").strip()
    return described


def elements(bpmn: str | bytes, key: str) -> dict[str, dict[str, Any]]:
    """Every element of the process ``key`` with an id: type, name, properties, flow ends."""
    data = bpmn.encode("utf-8") if isinstance(bpmn, str) else bpmn
    root = SafeET.fromstring(data, forbid_dtd=True)
    process = next((p for p in root.iter(f"{BPMN}process") if p.get("id") == key), None)
    if process is None:
        return {}
    found = {key: _describe(process)}
    for el in process.iter():
        if el is process or _local(el.tag) in _SKIP or not el.get("id"):
            continue
        found[el.get("id") or ""] = _describe(el)
    return found


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for field in ("type", "name", "sourceRef", "targetRef", "default", "condition"):
        if old.get(field) != new.get(field):
            changes.append({"field": field, "from": old.get(field), "to": new.get(field)})
    props_old, props_new = old["properties"], new["properties"]
    for name in sorted(set(props_old) | set(props_new)):
        if props_old.get(name) != props_new.get(name):
            changes.append({"field": f"properties.{name}", "from": props_old.get(name),
                            "to": props_new.get(name)})
    return changes


def diff(old_bpmn: str, new_bpmn: str, key: str) -> dict[str, list[dict[str, Any]]]:
    """Elements added, removed and changed (by id; diagram layout is not compared)."""
    old, new = elements(old_bpmn, key), elements(new_bpmn, key)
    changed = []
    for element_id in sorted(set(old) & set(new)):
        changes = _changes(old[element_id], new[element_id])
        if changes:
            changed.append({"id": element_id, "type": new[element_id]["type"],
                            "name": new[element_id]["name"], "changes": changes})
    return {
        "added": [new[i] for i in sorted(set(new) - set(old))],
        "removed": [old[i] for i in sorted(set(old) - set(new))],
        "changed": changed,
    }


@lru_cache(maxsize=4)
def _flowcharts(directory: str, stamp: float) -> dict[str, dict[str, Any]]:
    charts: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        for chart in (load_yaml(path) or {}).get(
                "flowcharts") or []:
            charts[chart["key"]] = chart
    return charts


def flowchart(catalogue_dir: Path, key: str) -> dict[str, Any] | None:
    """The catalogue flowchart of a process (re-read when a catalogue file changes)."""
    stamp = max((p.stat().st_mtime for p in catalogue_dir.glob("*.yaml")), default=0.0)
    return _flowcharts(str(catalogue_dir), stamp).get(key)


def conflicts(catalogue_dir: Path, key: str) -> list[dict[str, Any]]:
    """Where the decrees contradict themselves for this flowchart, each text quoted (for the
    process owner, who decides)."""
    chart = flowchart(catalogue_dir, key) or {}
    return [{"id": c["id"], "rows": [str(r) for r in c.get("rows") or []],
             "summary": c["summary"], "reading": c.get("reading") or "",
             "quotes": [{"source": q["source"], "text": q["text"]} for q in c["quotes"]]}
            for c in chart.get("conflicts") or []]


def _printed(row: dict[str, Any]) -> str:
    """A catalogue row's number as the decree prints it (repeated or empty in a few SOPs)."""
    return str(row["row"]) if "row" in row else str(row["step"])


def _row_of(task: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The catalogue row a task models: by printed number, and by activity where the decree
    prints one number twice (or none) in a flowchart."""
    number = str(task["properties"].get("row", "")).strip()
    same = [r for r in rows if _printed(r) == number]
    if len(same) > 1:
        activity = " ".join(str(task["properties"].get("activity", "")).split())
        same = [r for r in same if " ".join(r["activity"].split()) == activity]
    return same[0] if len(same) == 1 else None


def _task_warnings(element_id: str, task: dict[str, Any], row: dict[str, Any]) -> list[str]:
    step = _printed(row) or "(tanpa nomor)"
    warnings = []
    if task["lane"] != row["lane"]:
        warnings.append(f"baris {step} ({element_id}): lajur '{task['lane']}' berbeda dari "
                        f"katalog '{row['lane']}'")
    expected = {"requirements": row.get("requirements") or "", "output": row.get("output") or "",
                "duration": (row.get("duration") or {}).get("text") or "",
                "remarks": row.get("remarks") or ""}
    for prop, value in expected.items():
        actual = task["properties"].get(prop, "")
        if actual != value:
            warnings.append(f"baris {step} ({element_id}): {prop} '{actual}' berbeda dari "
                            f"katalog '{value}'")
    decision = row.get("decision")
    if decision:
        field = task["form"].get("properties", {}).get(decision["field"])
        answers = [a["value"] for a in decision["answers"]]
        if not field or field.get("enum") != answers:
            warnings.append(f"baris {step} ({element_id}): keputusan '{decision['field']}' "
                            f"harus berpilihan {answers}")
    return warnings


def linked_flowcharts(catalogue_dir: Path, model: ProcessModel) -> dict[str, dict[str, Any] | None]:
    """The flowcharts whose rows run inside this process (its tasks' ``flowchart``)."""
    keys = {t["properties"]["flowchart"] for t in model.tasks.values()
            if t["properties"].get("flowchart", model.key) != model.key}
    return {key: flowchart(catalogue_dir, key) for key in sorted(keys)}


def conformance(model: ProcessModel, chart: dict[str, Any] | None,
                linked: dict[str, dict[str, Any] | None] | None = None) -> list[str]:
    """Warnings where the model's user tasks differ from the catalogue rows (row, lane, …);
    the tasks of a linked flowchart (``flowchart`` property) against that flowchart's rows."""
    if chart is None:
        return [f"proses '{model.key}' tidak punya flowchart di katalog; kesesuaian tidak "
                "dapat diperiksa"]
    warnings: list[str] = []
    for key, other in (linked or {}).items():
        tasks = {e: t for e, t in model.tasks.items() if t["properties"].get("flowchart") == key}
        if other is None:
            warnings.append(f"flowchart '{key}' tidak ada di katalog")
        else:
            warnings += _rows_conformance(tasks, other)
    own = {e: t for e, t in model.tasks.items()
           if t["properties"].get("flowchart", model.key) == model.key}
    checked = {e for e, t in model.tasks.items()
               if t["properties"].get("flowchart") in (linked or {})}
    unchecked = set(model.tasks) - set(own) - checked
    warnings += [f"{e}: flowchart '{model.tasks[e]['properties']['flowchart']}' tidak diperiksa"
                 for e in sorted(unchecked)]
    return _rows_conformance(own, chart) + warnings


def _rows_conformance(tasks: dict[str, dict[str, Any]], chart: dict[str, Any]) -> list[str]:
    rows = chart.get("rows") or []
    warnings: list[str] = []
    seen: dict[int, str] = {}
    for element_id, task in sorted(tasks.items()):
        number = task["properties"].get("row")
        row = _row_of(task, rows) if number is not None else None
        if number is None:
            warnings.append(f"{element_id} ({task['name']}): tidak punya properti row")
        elif row is None:
            warnings.append(f"{element_id}: baris {number} tidak ada di katalog")
        elif row["step"] in seen:
            warnings.append(f"baris {number} dimodelkan dua kali ({seen[row['step']]}, "
                            f"{element_id})")
        else:
            seen[row["step"]] = element_id
            warnings += _task_warnings(element_id, task, row)
    for row in rows:
        if row["step"] not in seen:
            warnings.append(f"baris {_printed(row) or '(tanpa nomor)'} katalog tidak "
                            f"dimodelkan: {row['activity'][:80]}")
    return warnings
