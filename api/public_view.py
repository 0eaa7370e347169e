"""What the public sees of its own case on the portal: the outcome, not the staff's work.

The decision and the answer or reason (the process's ``public_fields``, as their forms label
them), the service time with its extension and the extension's reason (Keputusan 33/2025: an
extension is told to the requester with its reason), the steps by the decree's full activity
and the role that holds them (never a staff member's name), and the steps the requester may
take with the tracking code. A sensitive case (WBS, gratifikasi) shows the same and nothing of
anyone's identity: only its public fields, which never hold one (sensitivity checks)."""

from __future__ import annotations

from typing import Any

from api.presenters import to_wita
from orchestrator.case import Case
from orchestrator.engine import ProcessModel
from orchestrator.policy import requester_may_complete

SHOWN_KINDS = ("string", "integer")


def role_names(model: ProcessModel) -> dict[str, str]:
    """Role key → the lane's name as the diagram shows it."""
    return {key: name for name, key in model.lanes.items()}


def _step(properties: dict[str, str], lane: str, names: dict[str, str]) -> dict[str, str]:
    return {"row": properties.get("row", ""), "flowchart": properties.get("flowchart", ""),
            "activity": properties.get("activity", ""), "role": names.get(lane, lane)}


def _shown(schema: dict[str, Any], value: Any) -> str | None:
    """A value as the public reads it: an option's label, a text; None for what is no text
    (documents, user names, lists)."""
    if schema.get("x-alur-widget") == "user" or schema.get("type") not in SHOWN_KINDS:
        return None
    labels = schema.get("x-enumLabels") or {}
    return str(labels.get(value, value))


def outcome(case: Case, model: ProcessModel) -> list[dict[str, str]]:
    """The public fields the completed steps recorded, the latest value of each, in the order
    the steps gave them: the decision, then the answer or its reason."""
    latest: dict[str, dict[str, str]] = {}
    for step in case.steps:
        form = (model.tasks.get(step["element_id"]) or {}).get("form") or {}
        properties = form.get("properties") or {}
        for name in model.public_fields:
            if name not in step["data"] or name not in properties:
                continue
            shown = _shown(properties[name], step["data"][name])
            if shown is None or not shown.strip():
                continue
            latest.pop(name, None)  # re-inserted: ordered by the latest step that gave it
            latest[name] = {"field": name, "label": str(properties[name].get("title", name)),
                            "value": shown, "row": str(step.get("row", "")),
                            "format": str(properties[name].get("format", ""))}
    return list(latest.values())


def extension(case: Case) -> dict[str, Any] | None:
    """The service time's extension and its reason (taken once), or None."""
    extensions = (case.deadline or {}).get("extensions") or []
    if not extensions:
        return None
    last = extensions[-1]
    return {"working_days": last["working_days"], "working_minutes": last["working_minutes"],
            "reason": last["reason"], "at": last["at"]}


def ended_as(case: Case, model: ProcessModel) -> str | None:
    """The name of the end the case reached ("Selesai: permohonan ditolak"), if it ended."""
    if case.status != "completed" or not case.path:
        return None
    return model.elements.get(case.path[-1]) or None


def requester_steps(case: Case, model: ProcessModel) -> list[dict[str, Any]]:
    """The open steps the requester may complete with the tracking code, with their forms."""
    names = role_names(model)
    return [{"task_id": t.task_id, **_step(t.properties, t.lane, names), "form": t.form}
            for t in case.open_tasks.values() if requester_may_complete(model, t.lane)]


def public_status(case: Case, model: ProcessModel) -> dict[str, Any]:
    names = role_names(model)
    return {
        "current_steps": sorted({t.properties.get("activity") or t.name
                                 for t in case.open_tasks.values()}),
        "open_steps": sorted((_step(t.properties, t.lane, names)
                              for t in case.open_tasks.values()),
                             key=lambda s: (s["flowchart"], s["row"])),
        "done_steps": [{**_step({"row": s.get("row", ""), **(model.tasks.get(
            s["element_id"]) or {}).get("properties", {})}, s.get("lane", ""), names),
            "completed_at": to_wita(s["completed_at"])} for s in case.steps],
        "outcome": outcome(case, model),
        "ended_as": ended_as(case, model),
        "extension": extension(case),
        "requester_steps": requester_steps(case, model),
        "linked": [{"relation": link["relation"], "registration": link["registration"]}
                   for link in case.links],
    }
