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
    """What the engine did in response to a start, a completion or a timer."""

    state: str
    ready: list[ReadyTask] = field(default_factory=list)
    gateways: list[GatewayPassage] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)  # element ids completed, in order
    ended: bool = False
    timers: list[WaitingTimer] = field(default_factory=list)  # every timer waiting now


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
        self._items: OrderedDict[tuple[str, str], BpmnWorkflow] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, model: ProcessModel, state: str, workflow: BpmnWorkflow) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[(model.sha256, state)] = workflow
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def take(self, model: ProcessModel, state: str) -> BpmnWorkflow | None:
        with self._lock:
            return self._items.pop((model.sha256, state), None)


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
        return self._advance(model, workflow, set())

    def complete(
        self, model: ProcessModel, state: str, task_id: UUID, data: dict[str, Any]
    ) -> Outcome:
        workflow = self.live.take(model, state) or self.restore(model, state)
        task = workflow.get_task_from_id(task_id)
        if task is None or task.state != TaskState.READY:
            raise InvalidTaskData("the engine has no ready task with this id")
        before = {t.id for t in traversal.completed_tasks(workflow)}
        task.data.update(copy.deepcopy(data))  # the workflow may outlive this command
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise InvalidTaskData(str(exc)) from None
        return self._advance(model, workflow, before)

    def fire(self, model: ProcessModel, state: str, timer_id: UUID) -> Outcome:
        """Fire a waiting timer (its due moment has passed: the scheduler decided) and run
        the engine on to the next human tasks; an interrupting boundary timer cancels its
        task."""
        workflow = self.live.take(model, state) or self.restore(model, state)
        task = workflow.get_task_from_id(timer_id)
        if task is None or task.state != TaskState.WAITING or not _is_timer(task):
            raise InvalidTaskData("the engine has no waiting timer with this id")
        before = {t.id for t in traversal.completed_tasks(workflow)}
        task._set_internal_data(event_fired=True)
        try:
            task.task_spec._update(task)
        except SpiffWorkflowException as exc:
            raise InvalidTaskData(str(exc)) from None
        return self._advance(model, workflow, before)

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

    def restore(self, model: ProcessModel, state: str) -> BpmnWorkflow:
        dct = json.loads(zlib.decompress(base64.b64decode(state)))
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
        dct = SERIALIZER.to_dict(workflow)
        dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
        raw = json.dumps(dct, separators=(",", ":"), cls=SERIALIZER._encoder_cls).encode()
        return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")

    def ready_tasks(self, model: ProcessModel, workflow: BpmnWorkflow) -> list[ReadyTask]:
        tasks = []
        for task in traversal.ready_tasks(workflow, manual=True):
            info = model.tasks.get(task.task_spec.bpmn_id)
            if info is None:
                continue
            tasks.append(ReadyTask(task.id, task.task_spec.bpmn_id, info["name"], info["lane"],
                                   info["form"], info["properties"]))
        return tasks

    def _advance(self, model: ProcessModel, workflow: BpmnWorkflow, before: set[UUID]) -> Outcome:
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
        state = self.checkpoint(workflow)
        self.live.put(model, state, workflow)
        return Outcome(state=state, ready=ready, gateways=gateways, passed=passed, ended=ended,
                       timers=waiting)

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


