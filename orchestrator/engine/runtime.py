"""Run a ProcessModel with SpiffWorkflow: start, complete a task, checkpoint and restore state."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from orchestrator.engine import expressions
from orchestrator.engine.model import ProcessModel
from orchestrator.errors import InvalidTaskData

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


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
class Outcome:
    """What the engine did in response to a start or a completion."""

    state: str
    ready: list[ReadyTask] = field(default_factory=list)
    gateways: list[GatewayPassage] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)  # element ids completed, in order
    ended: bool = False


class RestrictedScriptEngine(PythonScriptEngine):
    """Conditions through the whitelist evaluator; scripts never run (refused at deploy)."""

    def validate(self, expression: str) -> None:
        expressions.parse(expression)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            return expressions.evaluate(expression, task.data)
        except expressions.UnknownName as exc:
            raise InvalidTaskData(f"a decision needs data that is missing: {exc}") from None
        except (expressions.UnsafeExpression, TypeError, KeyError, IndexError) as exc:
            raise InvalidTaskData(f"condition '{expression}' failed: {exc}") from None

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        raise InvalidTaskData("scripts are not executed by Alur")


SCRIPT_ENGINE = RestrictedScriptEngine()


class Engine:
    """The single SpiffWorkflow adapter on the execution path. Stateless and thread-safe:
    each call restores a fresh workflow from a checkpoint string."""

    def start(self, model: ProcessModel, data: dict[str, Any]) -> Outcome:
        workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=SCRIPT_ENGINE)
        workflow.data.update(data)
        start_task = workflow.get_tasks(state=TaskState.READY)[0]
        start_task.data.update(data)
        return self._advance(model, workflow, set())

    def complete(
        self, model: ProcessModel, state: str, task_id: UUID, data: dict[str, Any]
    ) -> Outcome:
        workflow = self.restore(model, state)
        task = workflow.get_task_from_id(task_id)
        if task is None or task.state != TaskState.READY:
            raise InvalidTaskData("the engine has no ready task with this id")
        before = {t.id for t in workflow.get_tasks(state=TaskState.COMPLETED)}
        task.data.update(data)
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise InvalidTaskData(str(exc)) from None
        return self._advance(model, workflow, before)

    def restore(self, model: ProcessModel, state: str) -> BpmnWorkflow:
        dct = json.loads(zlib.decompress(base64.b64decode(state)))
        dct.update(json.loads(self._spec_json(model)))
        SERIALIZER.migrate(dct)
        workflow = SERIALIZER.from_dict(dct)
        workflow.script_engine = SCRIPT_ENGINE
        return workflow

    def checkpoint(self, workflow: BpmnWorkflow) -> str:
        """Serialized engine state without the spec (re-attached from the deployed model)."""
        dct = SERIALIZER.to_dict(workflow)
        dct.pop("spec")
        dct.pop("subprocess_specs")
        dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
        raw = json.dumps(dct, separators=(",", ":"), cls=SERIALIZER._encoder_cls).encode()
        return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")

    def ready_tasks(self, model: ProcessModel, workflow: BpmnWorkflow) -> list[ReadyTask]:
        tasks = []
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            info = model.tasks.get(task.task_spec.bpmn_id)
            if info is None:
                continue
            tasks.append(ReadyTask(task.id, task.task_spec.bpmn_id, info["name"], info["lane"],
                                   info["form"], info["properties"]))
        return tasks

    def _advance(self, model: ProcessModel, workflow: BpmnWorkflow, before: set[UUID]) -> Outcome:
        try:
            workflow.do_engine_steps()
        except SpiffWorkflowException as exc:
            raise InvalidTaskData(str(exc)) from None
        done = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.id not in before]
        done.sort(key=lambda t: t.last_state_change)
        passed = [t.task_spec.bpmn_id for t in done if t.task_spec.bpmn_id]
        gateways = [
            passage for t in done if isinstance(t.task_spec, ExclusiveGateway)
            for passage in self._passages(model, t)
        ]
        return Outcome(
            state=self.checkpoint(workflow),
            ready=self.ready_tasks(model, workflow),
            gateways=gateways,
            passed=passed,
            ended=workflow.is_completed(),
        )

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
            workflow = BpmnWorkflow(model.spec, model.subprocess_specs)
            dct = SERIALIZER.to_dict(workflow)
            model.spec_json = json.dumps(
                {"spec": dct["spec"], "subprocess_specs": dct["subprocess_specs"]},
                cls=SERIALIZER._encoder_cls,
            )
        return model.spec_json


