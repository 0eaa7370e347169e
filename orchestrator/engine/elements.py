"""What Alur executes: the one allow-list of BPMN elements a deployed process may contain.

Anything else is refused at deploy, naming the element and why, rather than deployed and
then misbehaving (a message nobody sends, a signal nobody throws). To support an element,
add it here with the engine code and the tests that execute it.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"

EXECUTED = {"startEvent", "endEvent", "userTask", "exclusiveGateway", "parallelGateway",
            "sequenceFlow",
            # timers (engine/timers.py): fired by the scheduler, checked in engine/model.py
            "intermediateCatchEvent", "boundaryEvent", "timerEventDefinition", "timeDuration",
            "timeDate"}
# structure the adapter reads, and notes the engine ignores
STRUCTURE = {"laneSet", "lane", "flowNodeRef", "incoming", "outgoing", "conditionExpression",
             "extensionElements", "documentation", "textAnnotation", "text", "association",
             "group"}
IN_COLLABORATION = {"participant", "textAnnotation", "text", "association", "group",
                    "documentation", "extensionElements"}
SPIFF_EXTENSIONS = {"properties", "property"}  # task properties: row, form, duration, …

NO_CODE = "no code runs on the server"
REASONS = {
    "scriptTask": NO_CODE, "serviceTask": NO_CODE, "sendTask": NO_CODE,
    "businessRuleTask": NO_CODE, "preScript": NO_CODE, "postScript": NO_CODE,
    "script": NO_CODE,
    "timeCycle": "recurring timers are not supported (recurring work is started by "
                 "processes/schedules.yaml)",
    "messageEventDefinition": "Alur neither sends nor receives messages",
    "signalEventDefinition": "Alur neither sends nor receives signals",
    "conditionalEventDefinition": "conditional events are never re-evaluated",
    "escalationEventDefinition": "escalations are not handled",
    "errorEventDefinition": "error events are not handled",
    "compensateEventDefinition": "compensation is not handled",
    "cancelEventDefinition": "transactions are not supported",
    "terminateEventDefinition": "terminating end events are not supported yet",
    "linkEventDefinition": "link events are not supported",
    "intermediateThrowEvent": "intermediate events are not supported",
    "inclusiveGateway": "only exclusive and parallel gateways are supported",
    "eventBasedGateway": "only exclusive and parallel gateways are supported",
    "complexGateway": "only exclusive and parallel gateways are supported",
    "callActivity": "call activities are not supported yet",
    "subProcess": "sub-processes are not supported",
    "adHocSubProcess": "sub-processes are not supported",
    "transaction": "transactions are not supported",
    "receiveTask": "Alur does not receive messages",
    "manualTask": "a step for a person is a userTask with a form",
    "task": "a step for a person is a userTask with a form",
    "standardLoopCharacteristics": "loop markers are not supported (model the loop with a "
                                   "gateway)",
    "multiInstanceLoopCharacteristics": "multi-instance tasks are not supported",
    "messageFlow": "Alur neither sends nor receives messages",
    "dataObject": "data objects are not supported (the case data is the form data)",
    "dataObjectReference": "data objects are not supported (the case data is the form data)",
    "dataStoreReference": "data stores are not supported",
    "childLaneSet": "nested lanes are not supported: one lane per role",
}
# ids SpiffWorkflow gives its own task specs: an element with one of them breaks the workflow
RESERVED_IDS = {"Start", "End"}
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin")


def refused_elements(process: Element, collaborations: list[Element]) -> list[str]:
    """One message per element outside the allow-list, naming the element and why."""
    errors = []
    for root, in_process in [(process, True), *((c, False) for c in collaborations)]:
        for element, owner in _refused(root, in_process):
            reason = _refusal(element, in_process)
            errors.append(f"{owner}: {_name(element.tag)} is not allowed ({reason})")
    return errors


def id_errors(process: Element) -> list[str]:
    """Duplicate ids, and ids the engine reserves for itself."""
    errors, seen = [], set()
    for element in process.iter():
        element_id = element.get("id")
        if not element_id:
            continue
        if element_id in seen:
            errors.append(f"{element_id}: the id is used by more than one element")
        seen.add(element_id)
        if element_id in RESERVED_IDS or element_id.endswith(RESERVED_SUFFIXES):
            errors.append(f"{element_id}: the id is reserved by the engine; choose another")
    return errors


def _refused(root: Element, in_process: bool) -> Iterator[tuple[Element, str]]:
    """Refused elements below ``root`` in document order (not what lies inside them), each
    with the id that names it: its own, or its nearest ancestor's for an event definition
    or an extension."""
    stack = [(child, root.get("id") or "?") for child in reversed(root)]
    while stack:
        element, above = stack.pop()
        own = element.get("id")
        owner = above if element.tag.endswith("EventDefinition") or not own else own
        if _refusal(element, in_process) is not None:
            yield element, owner
            continue
        # inside an event definition (a timer's timeCycle) the event's own id names it
        below = above if element.tag.endswith("EventDefinition") else own or above
        stack.extend((child, below) for child in reversed(element))


def _refusal(element: Element, in_process: bool) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.startswith(BPMN):
        local = tag[len(BPMN):]
        allowed = EXECUTED | STRUCTURE if in_process else IN_COLLABORATION
        if local in allowed:
            return None
        return REASONS.get(local, "Alur does not execute this element")
    if tag.startswith(SPIFF):
        local = tag[len(SPIFF):]
        if local in SPIFF_EXTENSIONS:
            return None
        return REASONS.get(local, "this SpiffWorkflow extension is not used by Alur")
    return "an extension Alur does not understand"


def _name(tag: str) -> str:
    if tag.startswith(BPMN):
        return tag[len(BPMN):]
    if tag.startswith(SPIFF):
        return f"spiffworkflow:{tag[len(SPIFF):]}"
    return tag
