"""Small hand-written BPMN documents for engine tests (a process owner's upload, minimised)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'id="Definitions_test" targetNamespace="https://alur.test/bpmn">')
DECISION_FORM = {"type": "object", "properties": {"ok": {"type": "string",
                                                         "enum": ["ya", "tidak"]}},
                 "required": ["ok"], "additionalProperties": False}


def user_task(task_id: str, form: dict[str, Any] | None = None, name: str = "") -> str:
    """A user task with a JSON Schema form (the decision form by default)."""
    value = escape(json.dumps(form or DECISION_FORM), quote=True)
    return (f'<bpmn:userTask id="{task_id}" name="{name or task_id}"><bpmn:extensionElements>'
            f'<spiffworkflow:properties><spiffworkflow:property name="form" value="{value}"/>'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
            f'<bpmn:conditionExpression>{escape(condition, quote=False)}'
            '</bpmn:conditionExpression></bpmn:sequenceFlow>')


def document(key: str, body: str, lane_nodes: list[str], lane: str = "Admin",
             collaboration: str = "") -> bytes:
    """A definitions document with one executable process whose user tasks lie in one lane."""
    refs = "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in lane_nodes)
    return (f'{HEAD}{collaboration}<bpmn:process id="{key}" name="{key}" isExecutable="true">'
            f'<bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_1" name="{lane}">{refs}'
            f'</bpmn:lane></bpmn:laneSet>{body}</bpmn:process></bpmn:definitions>').encode()


def rework_loop(key: str = "rework", after: str = "Selesai", tail: str = "") -> bytes:
    """One user task whose decision ``ok == 'ya'`` goes on to ``after``; anything else loops
    back. ``tail`` holds the elements from ``after`` on (by default just the end event)."""
    body = ('<bpmn:startEvent id="Mulai"/>' + user_task("Periksa")
            + '<bpmn:exclusiveGateway id="Keputusan" default="Flow_ulang"/>'
            + (tail or '<bpmn:endEvent id="Selesai"/>')
            + flow("Flow_1", "Mulai", "Periksa") + flow("Flow_2", "Periksa", "Keputusan")
            + flow("Flow_lanjut", "Keputusan", after, "ok == 'ya'")
            + flow("Flow_ulang", "Keputusan", "Periksa"))
    lane = ["Periksa", *(["Kiri", "Kanan"] if tail else [])]
    return document(key, body, lane)


def rework_then_parallel(key: str = "rework_parallel") -> bytes:
    """The rework loop, then two user tasks in parallel joined before the end."""
    tail = ('<bpmn:parallelGateway id="Bagi"/>' + user_task("Kiri", form={"type": "object"})
            + user_task("Kanan", form={"type": "object"}) + '<bpmn:parallelGateway id="Gabung"/>'
            + '<bpmn:endEvent id="Selesai"/>'
            + flow("Flow_3", "Bagi", "Kiri") + flow("Flow_4", "Bagi", "Kanan")
            + flow("Flow_5", "Kiri", "Gabung") + flow("Flow_6", "Kanan", "Gabung")
            + flow("Flow_7", "Gabung", "Selesai"))
    return rework_loop(key, after="Bagi", tail=tail)


def decision(key: str, condition: str, form: dict[str, Any]) -> bytes:
    """One user task whose form data feeds ``condition`` at the following gateway."""
    body = ('<bpmn:startEvent id="Mulai"/>' + user_task("Isi", form=form)
            + '<bpmn:exclusiveGateway id="Cek" default="Flow_lain"/>'
            + '<bpmn:endEvent id="Selesai_ya"/><bpmn:endEvent id="Selesai_lain"/>'
            + flow("Flow_1", "Mulai", "Isi") + flow("Flow_2", "Isi", "Cek")
            + flow("Flow_ya", "Cek", "Selesai_ya", condition)
            + flow("Flow_lain", "Cek", "Selesai_lain"))
    return document(key, body, ["Isi"])
