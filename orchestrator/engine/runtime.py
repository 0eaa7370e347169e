"""Run a ProcessModel with SpiffWorkflow: start, complete a task, checkpoint and restore state."""

from __future__ import annotations

import base64
import copy
import json
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from orchestrator.engine import expressions, pruning, timers, traversal
from orchestrator.engine.model import ProcessModel
from orchestrator.errors import InvalidTaskData
from orchestrator.worktime import Calendar, Calendars


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """A checkpoint is a workflow's state without its spec: the spec objects of the deployed
    model are shared (read-only) by every workflow of that version, so neither a checkpoint
    nor a restore converts the spec (it was most of their cost)."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], model: ProcessModel | None = None) -> BpmnWorkflow:
        if model is None or "spec" in dct:  # a whole serialization, spec included
            return super().from_dict(dct)
        workflow = self.target_class(model.spec, model.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
    {**SPIFF_CONFIG, BpmnWorkflow: StateOnlyWorkflowConverter}))


@dataclass(frozen=True)
class ReadyTask:
    """A human task the engine is waiting for, in Alur's words."""

    task_id: UUID
    element_id: str
    name: str
    lane: str
    form: dict[str, Any]
    properties: dict[str, str]


@dataclass(frozen=True)
class GatewayPassage:
    gateway_id: str
    flow_id: str
    target_id: str
    flow_name: str


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event the workflow waits on, with the moment it would be due if armed now."""

    timer_id: UUID
    element_id: str
    name: str
    kind: str  # timers.DURATION or timers.DATE
    value: str  # the evaluated ISO 8601 text
    working: bool
    due_at: str  # ISO 8601, WITA
    attached_to: str | None  # the task id of the user task a boundary timer watches
    interrupting: bool


@dataclass(frozen=True)
class Outcome:
    """What the engine did in response to a start, a completion or a timer.

    ``state`` is a whole checkpoint, or "" when ``delta`` is given: what changed since the
    checkpoint the command started from (``Checkpoint``)."""

    state: str
    ready: list[ReadyTask] = field(default_factory=list)
    gateways: list[GatewayPassage] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)  # element ids completed, in order
    ended: bool = False
    timers: list[WaitingTimer] = field(default_factory=list)  # every timer waiting now
    delta: str = ""


# A workflow's state as stored: a whole checkpoint, then the deltas recorded after it.
# Each is compressed compact JSON (FORMAT_1 below). A whole one is the serializer's dict
# without the spec; a delta is {"tasks": {id: task}, "fields": {id: {field: value}},
# "removed": [id], "top": {key: value}, "dropped": [key]}: the tasks added (each dict whole,
# as the serializer writes it), the fields that changed of the others, the tasks gone, and
# the workflow's other top-level fields that changed.
Checkpoint = tuple[str, ...]


def pieces_of(state: str | Checkpoint) -> Checkpoint:
    return (state,) if isinstance(state, str) else tuple(state)


# Checkpoints written since deltas: "~1" + base85(raw deflate with the preset dictionary
# below), smaller than base64(zlib) (most of a delta is these names). Checkpoints from before
# are base64(zlib(...)) and never start with "~". NEVER change FORMAT_1_DICTIONARY: stored
# checkpoints need it to decode; a better one is a new format ("~2") beside it.
FORMAT_1 = "~1"
FORMAT_1_DICTIONARY = (
    b'"correlations":{},"last_task":"","success":false,"completed":false,"root":"",'
    b'"subprocesses":{},"bpmn_events":[],"typename":"BpmnWorkflow","serializer_version":"1.5",'
    b'"data":{},"completed":true,"success":true,"removed":[],"dropped":[],'
    b'{"id":"","parent":"","children":[""],"last_state_change":17,"state":4,"state":16,'
    b'"task_spec":"","triggered":false,"internal_data":{},"data":{},'
    b'"delta":{"updates":{},"deletions":[]},"typename":"Task"},"state":64,'
    b'"tasks":{"":{"last_state_change":17,"state":64,"delta":{"updates":{'
    b'"top":{"last_task":"')


def decode(text: str) -> dict[str, Any]:
    """The JSON of one stored checkpoint (either format)."""
    if text.startswith(FORMAT_1):
        inflate = zlib.decompressobj(-15, zdict=FORMAT_1_DICTIONARY)
        raw = inflate.decompress(base64.b85decode(text[len(FORMAT_1):])) + inflate.flush()
    else:
        raw = zlib.decompress(base64.b64decode(text))
    decoded: dict[str, Any] = json.loads(raw)
    return decoded


def encode(raw: str) -> str:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY,
                               zdict=FORMAT_1_DICTIONARY)
    packed = deflate.compress(raw.encode()) + deflate.flush()
    return FORMAT_1 + base64.b85encode(packed).decode("ascii")


def merged(state: str | Checkpoint) -> dict[str, Any]:
    """The whole serialized workflow a checkpoint and its deltas give."""
    pieces = pieces_of(state)
    dct = decode(pieces[0])
    for text in pieces[1:]:
        delta = decode(text)
        tasks = dct["tasks"]
        for task_id in delta.get("removed", ()):
            tasks.pop(task_id, None)
        for task_id, changed in delta.get("fields", {}).items():
            tasks[task_id] = {**tasks[task_id], **changed}  # keeps its place
        tasks.update(delta.get("tasks", {}))  # a new task comes last
        for key in delta.get("dropped", ()):
            dct.pop(key, None)
        dct.update(delta.get("top", {}))
    return dct


def compacted(state: str | Checkpoint) -> str:
    """One whole checkpoint equal to a checkpoint and its deltas (what a snapshot holds)."""
    pieces = pieces_of(state)
    if len(pieces) == 1:
        return pieces[0]
    return encode(json.dumps(merged(pieces), separators=(",", ":")))


@dataclass(frozen=True)
class Parts:
    """A serialized workflow as JSON text per task and per other top-level field: what the
    next delta is computed against (text, so no later change to the live workflow leaks in)."""

    tasks: dict[str, str]
    top: dict[str, str]

    @classmethod
    def of(cls, dct: dict[str, Any], encoder: type[json.JSONEncoder] | None = None) -> Parts:
        def text(value: Any) -> str:
            return json.dumps(value, separators=(",", ":"), cls=encoder)
        return cls({k: text(v) for k, v in dct["tasks"].items()},
                   {k: text(v) for k, v in dct.items() if k != "tasks"})

    def whole(self) -> str:
        tasks = ",".join(f"{json.dumps(k)}:{v}" for k, v in self.tasks.items())
        top = "".join(f"{json.dumps(k)}:{v}," for k, v in self.top.items())
        return encode(f'{{{top}"tasks":{{{tasks}}}}}')

    def delta_from(self, before: Parts) -> str:
        tasks = ",".join(f"{json.dumps(k)}:{v}" for k, v in self.tasks.items()
                         if k not in before.tasks)
        fields = {k: _changed_fields(json.loads(before.tasks[k]), json.loads(v))
                  for k, v in self.tasks.items() if k in before.tasks and before.tasks[k] != v}
        top = ",".join(f"{json.dumps(k)}:{v}" for k, v in self.top.items()
                       if before.top.get(k) != v)
        removed = [k for k in before.tasks if k not in self.tasks]
        dropped = [k for k in before.top if k not in self.top]
        extra = "".join(f',"{name}":{json.dumps(value, separators=(",", ":"))}'
                        for name, value in (("fields", fields), ("removed", removed),
                                            ("dropped", dropped)) if value)
        return encode(f'{{"tasks":{{{tasks}}},"top":{{{top}}}{extra}}}')


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields of a task's dict that changed (a task's fields are never dropped)."""
    return {k: v for k, v in after.items() if k not in before or before[k] != v}


def _is_timer(task: Any) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


class RestrictedScriptEngine(PythonScriptEngine):
    """Conditions through the whitelist evaluator; scripts never run (refused at deploy)."""

    def validate(self, expression: str) -> None:
        expressions.parse(expression)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            return expressions.evaluate(expression, task.data)
        except expressions.UnknownName as exc:
            raise InvalidTaskData(f"a decision needs data that is missing: {exc}") from None
        except (expressions.UnsafeExpression, expressions.EvaluationFailed) as exc:
            raise InvalidTaskData(f"condition '{expression}' failed: {exc}") from None

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        raise InvalidTaskData("scripts are not executed by Alur")


SCRIPT_ENGINE = RestrictedScriptEngine()


class LiveWorkflows:
    """Workflows as the last command in this process left them, keyed by the checkpoint they
    were saved as. The next command on the case *takes* its workflow instead of restoring it
    from the checkpoint (taken, never shared, so one command at a time mutates it); a command
    that fails has taken it, so a half-run workflow is never reused. A miss (another process
    ran the last command, or the entry aged out) only costs a restore."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, str], tuple[BpmnWorkflow, Parts]] = \
            OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(model: ProcessModel, state: str | Checkpoint) -> tuple[str, str, str]:
        pieces = pieces_of(state)  # the whole checkpoint names the case, the last its moment
        return model.sha256, pieces[0], pieces[-1]

    def put(self, model: ProcessModel, state: str | Checkpoint, workflow: BpmnWorkflow,
            parts: Parts) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[self._key(model, state)] = (workflow, parts)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def take(self, model: ProcessModel, state: str | Checkpoint
             ) -> tuple[BpmnWorkflow, Parts] | None:
        with self._lock:
            return self._items.pop(self._key(model, state), None)


class Engine:
    """The single SpiffWorkflow adapter on the execution path. Thread-safe: each command
    works on a workflow of its own, restored from its checkpoint string or taken from
    ``live``."""

    def __init__(self, live_workflows: int = 256,
                 step_budget: int = traversal.STEP_BUDGET,
                 calendar: Calendars | None = None) -> None:
        self.live = LiveWorkflows(live_workflows)
        self.step_budget = step_budget
        # for timers counted in working time: the calendar as it stands when the timer is armed
        self.calendar: Calendars = calendar or Calendar()

    def start(self, model: ProcessModel, data: dict[str, Any]) -> Outcome:
        workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=SCRIPT_ENGINE)
        workflow.data.update(copy.deepcopy(data))
        start_task = traversal.ready_tasks(workflow, manual=False)[0]
        start_task.data.update(copy.deepcopy(data))
        return self._advance(model, workflow, set(), (), None)

    def complete(
        self, model: ProcessModel, state: str | Checkpoint, task_id: UUID,
        data: dict[str, Any], delta: bool = False,
    ) -> Outcome:
        """Complete a ready task; the outcome's checkpoint is whole, or with ``delta`` what
        changed since ``state``."""
        workflow, parts = self._taken(model, state)
        task = workflow.get_task_from_id(task_id)
        if task is None or task.state != TaskState.READY:
            raise InvalidTaskData("the engine has no ready task with this id")
        before = {t.id for t in traversal.completed_tasks(workflow)}
        task.data.update(copy.deepcopy(data))  # the workflow may outlive this command
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise InvalidTaskData(str(exc)) from None
        return self._advance(model, workflow, before, pieces_of(state), parts if delta else None)

    def fire(self, model: ProcessModel, state: str | Checkpoint, timer_id: UUID,
             delta: bool = False) -> Outcome:
        """Fire a waiting timer (its due moment has passed: the scheduler decided) and run
        the engine on to the next human tasks; an interrupting boundary timer cancels its
        task."""
        workflow, parts = self._taken(model, state)
        task = workflow.get_task_from_id(timer_id)
        if task is None or task.state != TaskState.WAITING or not _is_timer(task):
            raise InvalidTaskData("the engine has no waiting timer with this id")
        before = {t.id for t in traversal.completed_tasks(workflow)}
        task._set_internal_data(event_fired=True)
        try:
            task.task_spec._update(task)
        except SpiffWorkflowException as exc:
            raise InvalidTaskData(str(exc)) from None
        return self._advance(model, workflow, before, pieces_of(state), parts if delta else None)

    def waiting_timers(self, model: ProcessModel, workflow: BpmnWorkflow) -> list[WaitingTimer]:
        """Every timer the workflow waits on, with its due moment if it were armed now."""
        if not model.timers:  # most processes have none: no walk of the task tree
            return []
        found = []
        now = datetime.now(UTC)
        for task in traversal.definite_tasks(workflow):
            if task.state != TaskState.WAITING or not _is_timer(task):
                continue
            spec = model.timers.get(task.task_spec.bpmn_id)
            if spec is None:
                continue
            value = timers.literal(spec.expression)
            if value is None:
                value = str(SCRIPT_ENGINE.evaluate(task, spec.expression))
            try:
                due = timers.due_at(spec.kind, value, spec.working, now,
                                     self.calendar.at(now))
            except timers.TimerError as exc:
                raise InvalidTaskData(f"{spec.element_id}: timer refused: {exc}") from None
            attached = None
            if spec.attached_to and task.parent is not None:
                attached = next((str(t.id) for t in task.parent.children
                                 if t.task_spec.bpmn_id == spec.attached_to), None)
            found.append(WaitingTimer(task.id, spec.element_id, spec.name, spec.kind, value,
                                      spec.working, due.isoformat(), attached,
                                      spec.interrupting))
        return found

    def _taken(self, model: ProcessModel, state: str | Checkpoint
               ) -> tuple[BpmnWorkflow, Parts]:
        """The workflow as ``state`` has it (live if this process left it so) and its parts."""
        live = self.live.take(model, state)
        if live is not None:
            return live
        dct = merged(state)
        parts = Parts.of(dct)
        return self._restored(model, dct), parts

    def restore(self, model: ProcessModel, state: str | Checkpoint) -> BpmnWorkflow:
        """The workflow a checkpoint (and the deltas after it) describes."""
        return self._restored(model, merged(state))

    def _restored(self, model: ProcessModel, dct: dict[str, Any]) -> BpmnWorkflow:
        if dct.get(SERIALIZER.VERSION_KEY) == SERIALIZER.VERSION:
            del dct[SERIALIZER.VERSION_KEY]
            workflow = SERIALIZER.from_dict(dct, model=model)
        else:  # an older serializer's checkpoint: its migrations may need the whole spec
            dct.update(json.loads(self._spec_json(model)))
            SERIALIZER.migrate(dct)
            workflow = SERIALIZER.from_dict(dct)
        workflow.script_engine = SCRIPT_ENGINE
        return workflow

    def checkpoint(self, workflow: BpmnWorkflow) -> str:
        """Serialized engine state without the spec (re-attached from the deployed model)."""
        return self._parts(workflow).whole()

    @staticmethod
    def _parts(workflow: BpmnWorkflow) -> Parts:
        dct = SERIALIZER.to_dict(workflow)
        dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
        return Parts.of(dct, SERIALIZER._encoder_cls)

    def ready_tasks(self, model: ProcessModel, workflow: BpmnWorkflow) -> list[ReadyTask]:
        tasks = []
        for task in traversal.ready_tasks(workflow, manual=True):
            info = model.tasks.get(task.task_spec.bpmn_id)
            if info is None:
                continue
            tasks.append(ReadyTask(task.id, task.task_spec.bpmn_id, info["name"], info["lane"],
                                   info["form"], info["properties"]))
        return tasks

    def _advance(self, model: ProcessModel, workflow: BpmnWorkflow, before: set[UUID],
                 pieces: Checkpoint, parts_before: Parts | None) -> Outcome:
        try:
            traversal.run_engine_steps(workflow, self.step_budget)
        except SpiffWorkflowException as exc:
            raise InvalidTaskData(str(exc)) from None
        done = [t for t in traversal.completed_tasks(workflow) if t.id not in before]
        done.sort(key=lambda t: t.last_state_change)
        passed = [t.task_spec.bpmn_id for t in done if t.task_spec.bpmn_id]
        gateways = [
            passage for t in done if isinstance(t.task_spec, ExclusiveGateway)
            for passage in self._passages(model, t)
        ]
        ready = self.ready_tasks(model, workflow)
        waiting = self.waiting_timers(model, workflow)
        ended = not traversal.has_unfinished_tasks(workflow)
        if not ready and not ended and not waiting:  # e.g. a join waiting for a lost branch
            raise InvalidTaskData("the process would wait with no step for anyone to take "
                                  "(a deadlock in its BPMN); nothing was recorded")
        pruning.prune(workflow)  # a long loop's finished rounds: on record, not in the tree
        parts = self._parts(workflow)
        if parts_before is None:  # a start, or a whole checkpoint asked for
            state, delta = parts.whole(), ""
            self.live.put(model, state, workflow, parts)
        else:
            state, delta = "", parts.delta_from(parts_before)
            self.live.put(model, (*pieces, delta), workflow, parts)
        return Outcome(state=state, ready=ready, gateways=gateways, passed=passed, ended=ended,
                       timers=waiting, delta=delta)

    @staticmethod
    def _passages(model: ProcessModel, task: Any) -> list[GatewayPassage]:
        passages = []
        for child in task.children:
            if child.state in (TaskState.MAYBE, TaskState.LIKELY, TaskState.CANCELLED):
                continue
            target = child.task_spec.bpmn_id or ""
            flow = model.flow(task.task_spec.bpmn_id, target)
            passages.append(GatewayPassage(task.task_spec.bpmn_id, flow.id if flow else "",
                                           target, flow.name if flow else ""))
        return passages

    @staticmethod
    def _spec_json(model: ProcessModel) -> str:
        if not model.spec_json:
            registry = SERIALIZER.registry
            model.spec_json = json.dumps({
                "spec": registry.convert(model.spec),
                "subprocess_specs": {name: registry.convert(spec)
                                     for name, spec in model.subprocess_specs.items()},
            }, cls=SERIALIZER._encoder_cls)
        return model.spec_json


