"""Parse and validate a BPMN file into a deployable ProcessModel (the adapter's input side)."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import jsonschema
from defusedxml import DefusedXmlException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from orchestrator import (
    durations,  # a module: durations itself imports the engine package
    forms,
)
from orchestrator.dispositions import assignment_errors, user_lanes_as_role_keys
from orchestrator.engine import catalog, expressions, timers
from orchestrator.engine.elements import BPMN, SPIFF, id_errors, refused_elements
from orchestrator.engine.flowgraph import flow_graph_errors
from orchestrator.engine.timers import TimerSpec
from orchestrator.errors import InvalidDefinition
from orchestrator.roles import RoleRegistry

MAX_BPMN_BYTES = 2 * 1024 * 1024
DEFAULT_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {"catatan": {"type": "string", "title": "Catatan", "maxLength": 2000}},
    "required": [],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    name: str
    condition: str | None


@dataclass
class ProcessModel:
    """A validated process: the parsed spec plus what Alur reads from the XML."""

    key: str
    name: str
    bpmn: bytes
    sha256: str
    spec: Any
    subprocess_specs: dict[str, Any]
    flows: dict[tuple[str, str], Flow]
    lanes: dict[str, str]  # lane name -> role key
    tasks: dict[str, dict[str, Any]]  # user task element id -> {name, lane, form, properties}
    elements: dict[str, str] = field(default_factory=dict)  # element id -> name
    spec_json: str = ""
    sensitive: bool = False  # reporter identity sealed, every read logged (WBS, gratifikasi)
    handling_role: str | None = None  # the only role that sees the reporter in clear
    start_form: dict[str, Any] | None = None  # JSON Schema of the start data (None: any data)
    starters: tuple[str, ...] = ()  # role keys that may start a case ((): see policy.may_start)
    purpose: str = ""  # one line for the list of processes staff may start
    timers: dict[str, TimerSpec] = field(default_factory=dict)  # timer event element id -> spec
    # the step fields the public portal shows with the status (decision, answer, reason)
    public_fields: tuple[str, ...] = ()
    # relation -> process key of a case the requester may start after this one (keberatan)
    followed_by: dict[str, str] = field(default_factory=dict)

    def flow(self, source: str, target: str) -> Flow | None:
        return self.flows.get((source, target))


def load_model(key: str, bpmn: bytes, roles: RoleRegistry) -> ProcessModel:
    """Parse safely, validate for execution by Alur, and return the model; or InvalidDefinition."""
    if len(bpmn) > MAX_BPMN_BYTES:
        raise InvalidDefinition(f"BPMN larger than {MAX_BPMN_BYTES // 1024} KiB")
    root = _safe_root(bpmn)
    process = _the_process(root, key)
    errors = _static_errors(root, process)
    lanes = _lanes(process, roles, errors)
    flows = _flows(process, errors)
    sensitive, handling_role = _sensitivity(process, roles, errors)
    start_form, starters, purpose = _start(process, lanes, errors)
    timer_specs = _timers(process, errors)
    if errors:
        raise InvalidDefinition(f"{key}: BPMN cannot be deployed", errors=errors)
    spec, subprocess_specs = _spiff_spec(key, bpmn)
    tasks = _user_tasks(spec, lanes, errors)
    for task in tasks.values():
        task["form"] = user_lanes_as_role_keys(task["form"], roles)
    errors.extend(assignment_errors(tasks, flows.keys(), roles))
    if errors:
        raise InvalidDefinition(f"{key}: BPMN cannot be deployed", errors=errors)
    elements = {element: el.get("name") or "" for el in process.iter()
                if (element := el.get("id"))}
    sha256 = hashlib.sha256(bpmn).hexdigest()
    catalog.remember(sha256, tasks)
    return ProcessModel(
        key=key, name=process.get("name") or key, bpmn=bpmn,
        sha256=sha256, spec=spec, subprocess_specs=subprocess_specs,
        flows=flows, lanes=lanes, tasks=tasks, elements=elements,
        sensitive=sensitive, handling_role=handling_role,
        start_form=start_form, starters=starters, purpose=purpose, timers=timer_specs,
        public_fields=tuple(f.strip() for f in _process_properties(process).get(
            "public_fields", "").split(",") if f.strip()),
        followed_by=_followed_by(_process_properties(process).get("followed_by", "")),
    )


def _followed_by(text: str) -> dict[str, str]:
    """``keberatan:sop_9_22_d,…``: relation → the process a follow-up case is a case of."""
    pairs = (item.split(":", 1) for item in text.split(",") if ":" in item)
    return {relation.strip(): key.strip() for relation, key in pairs
            if relation.strip() and key.strip()}


def _safe_root(bpmn: bytes) -> Element:
    try:
        return SafeET.fromstring(bpmn, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InvalidDefinition(
            f"refused XML: {type(exc).__name__} (DTDs and entities are not allowed)"
        ) from None
    except SafeET.ParseError as exc:
        raise InvalidDefinition(f"not well-formed XML: {exc}") from None


def _the_process(root: Element, key: str) -> Element:
    if root.tag != f"{BPMN}definitions":
        raise InvalidDefinition("not a BPMN 2.0 document (root must be bpmn:definitions)")
    processes = [p for p in root.iter(f"{BPMN}process") if p.get("isExecutable") != "false"]
    found = [p for p in processes if p.get("id") == key]
    if not found:
        ids = ", ".join(p.get("id") or "?" for p in processes) or "none"
        raise InvalidDefinition(f"no executable process with id '{key}' (found: {ids})")
    return found[0]


def _static_errors(root: Element, process: Element) -> list[str]:
    """Elements outside the allow-list, bad ids, and flow graphs the engine cannot run."""
    refused = refused_elements(process, list(root.iter(f"{BPMN}collaboration")))
    return refused + id_errors(process) + ([] if refused else flow_graph_errors(process))


def _lanes(process: Element, roles: RoleRegistry, errors: list[str]) -> dict[str, str]:
    lanes = {}
    for lane in process.iter(f"{BPMN}lane"):
        name = lane.get("name") or ""
        key = roles.key_for_lane(name)
        if key is None:
            errors.append(f"lane '{name}' ({lane.get('id')}) is not a role in the roles registry")
        else:
            lanes[name] = key
    return lanes


def _process_properties(process: Element) -> dict[str, str]:
    """The process-level ``spiffworkflow:properties`` (not those of its tasks)."""
    found = process.find(f"{BPMN}extensionElements/{SPIFF}properties")
    if found is None:
        return {}
    return {p.get("name") or "": p.get("value") or "" for p in found.iter(f"{SPIFF}property")}


def _sensitivity(process: Element, roles: RoleRegistry,
                 errors: list[str]) -> tuple[bool, str | None]:
    """``sensitive=true`` with ``handling_role=<role key>``: the reporter's identity is sealed."""
    props = _process_properties(process)
    if props.get("sensitive", "false").strip().lower() != "true":
        return False, None
    role = props.get("handling_role", "").strip()
    if role not in roles.roles:
        errors.append(f"process property handling_role '{role}' is not a role in the registry"
                      " (a sensitive process needs the role that handles its reporters)")
        return True, None
    return True, role


def _start(process: Element, lanes: dict[str, str],
           errors: list[str]) -> tuple[dict[str, Any] | None, tuple[str, ...], str]:
    """The process properties ``start_form`` (a JSON Schema of an object), ``starters``
    (comma-separated lanes' role keys) and ``purpose``."""
    props = _process_properties(process)
    starters = tuple(s.strip() for s in props.get("starters", "").split(",") if s.strip())
    errors.extend(f"process property starters: '{s}' is not a lane of the process"
                  for s in starters if s not in lanes.values())
    form = None
    if props.get("start_form"):
        try:
            form = json.loads(props["start_form"])
            _check_schema(props["start_form"])
        except (ValueError, jsonschema.SchemaError) as exc:
            errors.append(f"process property start_form is not a valid JSON Schema: {exc}")
            return None, starters, ""
        if not isinstance(form, dict) or form.get("type") != "object":
            errors.append("process property start_form must describe an object")
            return None, starters, ""
    return form, starters, props.get("purpose", "").strip()


TIMER_EVENTS = ("intermediateCatchEvent", "boundaryEvent")


def _timers(process: Element, errors: list[str]) -> dict[str, timers.TimerSpec]:
    """Every timer event, checked: an intermediate catch event or a boundary event on a user
    task, each with one timer of a duration or a date that ``engine/timers.py`` can arm."""
    found: dict[str, timers.TimerSpec] = {}
    user_tasks = {t.get("id") for t in process.iter(f"{BPMN}userTask")}
    for element in process.iter():
        local = element.tag.removeprefix(BPMN) if isinstance(element.tag, str) else ""
        definitions = element.findall(f"{BPMN}timerEventDefinition")
        element_id = element.get("id") or "?"
        if local not in TIMER_EVENTS:
            if definitions:
                errors.append(f"{element_id}: a timer on a {local} is not supported (only "
                              "intermediate catch and boundary events wait; recurring work is "
                              "started by processes/schedules.yaml)")
            continue
        if len(definitions) != 1:
            errors.append(f"{element_id}: a {local} must carry exactly one "
                          "timerEventDefinition (Alur executes no other event)")
            continue
        spec = _timer(element, local, definitions[0], user_tasks, errors)
        if spec is not None:
            found[element_id] = spec
    return found


def _timer(element: Element, local: str, definition: Element, user_tasks: set[str | None],
           errors: list[str]) -> timers.TimerSpec | None:
    element_id = element.get("id") or "?"
    values = [(kind, child) for kind, tag in ((timers.DURATION, "timeDuration"),
                                              (timers.DATE, "timeDate"))
              if (child := definition.find(f"{BPMN}{tag}")) is not None]
    if len(values) != 1 or not (values[0][1].text or "").strip():
        errors.append(f"{element_id}: a timer needs one timeDuration or timeDate expression")
        return None
    kind, value = values[0][0], (values[0][1].text or "").strip()
    text = timers.literal(value)
    try:
        if text is not None:
            timers.check(kind, text)
        else:
            expressions.parse(value)
    except timers.TimerError as exc:
        errors.append(f"{element_id}: timer refused: {exc}")
        return None
    except expressions.UnsafeExpression as exc:
        errors.append(f"{element_id}: timer expression '{value}' refused: {exc}")
        return None
    attached = element.get("attachedToRef") if local == "boundaryEvent" else None
    if local == "boundaryEvent" and attached not in user_tasks:
        errors.append(f"{element_id}: a boundary timer must be attached to a user task")
        return None
    props = {p.get("name"): p.get("value") or ""
             for p in element.iter(f"{SPIFF}property")}
    return timers.TimerSpec(
        element_id=element_id, name=element.get("name") or "", kind=kind, expression=value,
        working=props.get("working_time", "").strip().lower() == "true",
        attached_to=attached,
        interrupting=element.get("cancelActivity", "true").strip().lower() != "false")


def _flows(process: Element, errors: list[str]) -> dict[tuple[str, str], Flow]:
    flows = {}
    for el in process.iter(f"{BPMN}sequenceFlow"):
        cond_el = el.find(f"{BPMN}conditionExpression")
        condition = (cond_el.text or "").strip() if cond_el is not None else None
        if condition:
            try:
                expressions.parse(condition)
            except expressions.UnsafeExpression as exc:
                errors.append(f"{el.get('id')}: condition '{condition}' refused: {exc}")
        flow = Flow(el.get("id") or "", el.get("sourceRef") or "", el.get("targetRef") or "",
                    el.get("name") or "", condition or None)
        flows[(flow.source, flow.target)] = flow
    return flows


def _spiff_spec(key: str, bpmn: bytes) -> tuple[Any, dict[str, Any]]:
    parser = SpiffBpmnParser()  # one parser per version: a process id may be added only once
    try:
        parser.add_bpmn_str(bpmn)
        return parser.get_spec(key), parser.get_subprocess_specs(key)
    except (ValidationException, SpiffWorkflowException) as exc:
        raise InvalidDefinition(f"{key}: {exc}", errors=[str(exc)]) from None


def _user_tasks(spec: Any, lanes: dict[str, str], errors: list[str]) -> dict[str, dict[str, Any]]:
    tasks: dict[str, dict[str, Any]] = {}
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, ExclusiveGateway):
            _check_gateway(task_spec, errors)
        if not isinstance(task_spec, UserTask):
            continue
        bpmn_id = task_spec.bpmn_id
        if task_spec.lane not in lanes:
            errors.append(f"{bpmn_id}: user task must lie in a lane that names a role")
            continue
        props = dict(task_spec.extensions.get("properties", {}))
        form = _form(bpmn_id, props.pop("form", None), errors)
        if "durations" in props:  # due-time rules run on the read side: refuse bad ones here
            errors.extend(f"{bpmn_id}: {e}" for e in durations.rule_errors(props["durations"]))
        tasks[bpmn_id] = {
            "name": task_spec.bpmn_name or bpmn_id,
            "lane": lanes[task_spec.lane],
            "form": form,
            "properties": props,
        }
    return tasks


def _check_gateway(task_spec: Any, errors: list[str]) -> None:
    conditioned = len(task_spec.cond_task_specs)
    if len(task_spec.outputs) > 1 and conditioned < len(task_spec.outputs) - (
        1 if task_spec.default_task_spec else 0
    ):
        errors.append(f"{task_spec.bpmn_id}: every outgoing flow of a decision needs a condition")


# Every step may carry the documents it produces (nota dinas, SK, berita acara …): references
# to content-addressed files, never the files themselves (task data is copied into every task).
ATTACHMENTS: dict[str, Any] = {
    "type": "array", "title": "Lampiran", "maxItems": 10,
    "items": {"type": "object", "additionalProperties": False,
              "required": ["nama", "sha256", "ukuran"],
              "properties": {"nama": {"type": "string", "maxLength": 200},
                             "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                             "ukuran": {"type": "integer", "minimum": 0}}},
}


@functools.lru_cache(maxsize=4096)
def _check_schema(raw: str) -> None:
    """Check a form's text against the JSON Schema meta-schema, once per distinct text: the
    check is most of a deployment's cost and every version repeats most of its forms."""
    jsonschema.Draft202012Validator.check_schema(json.loads(raw))


def _form(bpmn_id: str, raw: str | None, errors: list[str]) -> dict[str, Any]:
    if not raw:
        return _with_attachments(DEFAULT_FORM)
    try:
        form = json.loads(raw)
        _check_schema(raw)
    except (ValueError, jsonschema.SchemaError) as exc:
        errors.append(f"{bpmn_id}: property 'form' is not a valid JSON Schema: {exc}")
        return _with_attachments(DEFAULT_FORM)
    if not isinstance(form, dict) or form.get("type") != "object":
        errors.append(f"{bpmn_id}: property 'form' must describe an object")
        return DEFAULT_FORM
    for ref in forms.external_references(form):
        errors.append(f"{bpmn_id}: property 'form' refers to '{ref}'; a form must be "
                      "self-contained (only local references such as '#/$defs/…')")
    return _with_attachments(form)


def _with_attachments(form: dict[str, Any]) -> dict[str, Any]:
    properties = form.get("properties") or {}
    if "lampiran" in properties:
        return form
    return {**form, "properties": {**properties, "lampiran": ATTACHMENTS}}


def executable_process_ids(bpmn: bytes) -> list[str]:
    """The ids of the executable processes in a BPMN document (safe parse)."""
    root = _safe_root(bpmn)
    processes = root.iter(f"{BPMN}process")
    return [p.get("id") or "" for p in processes if p.get("isExecutable") != "false"]
