"""Turn write-model objects and events into API dicts (the one event vocabulary for clients)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from orchestrator.case import Case

WITA = ZoneInfo("Asia/Makassar")
_HIDDEN = {"originator_id", "originator_version", "timestamp", "prev_hash", "engine_state",
           "originator_topic", "actor", "task_id", "passed"}


def case_dict(case: Case, position: int | None = None) -> dict[str, Any]:
    tasks = [{**asdict(t), "id": t.task_id} for t in case.open_tasks.values()]
    result = {
        "id": str(case.id), "process": case.process_key, "version": case.process_version,
        "status": case.status, "data": case.data, "open_tasks": tasks,
        "case_version": case.version, "started_by": case.started_by, "path": case.path,
        "head_hash": case.head_hash,
    }
    if position is not None:
        result["position"] = position
    return result


def event_dict(event: Case.Event) -> dict[str, Any]:
    fields = {k: v for k, v in event.__dict__.items() if k not in _HIDDEN}
    data = fields.pop("data", None)
    return {
        "seq": event.originator_version,
        "type": event.type_name,
        "at": event.timestamp.astimezone(WITA).isoformat(),
        "actor": getattr(event, "actor", None),
        "task": getattr(event, "task_id", None),
        "element_id": fields.get("element_id") or fields.get("gateway_id"),
        "data": data if data is not None else fields,
        "prev_hash": event.prev_hash,
    }
