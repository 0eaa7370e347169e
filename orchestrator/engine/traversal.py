"""Walk and run a workflow's task tree at any depth, within a budget of engine steps.

SpiffWorkflow 3.2 assumes shallow task trees, and every round of a rework loop adds a level
per element it passes (about 500 rounds of a task and its decision reach depth 1000). Its task
iterators stop descending at depth 1000 by default: ready tasks below were not found,
``is_completed()`` answered True with work left, ``do_engine_steps`` stopped running gateways,
a join stopped seeing its other branches. And ``Task.is_descendant_of``/``find_ancestor``
recurse once per level, so a parallel join below depth ~950 failed with RecursionError. Our own
walks have no depth limit, and the library is made depth-safe once, here: its iterators'
default ``max_depth`` becomes unbounded and the two ancestor walks become loops (same answers).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskIterator, TaskState

from orchestrator.errors import InvalidTaskData

STEP_BUDGET = 10_000  # engine task runs per command; a human step needs a handful


def _is_descendant_of(self: Task, task: Task) -> bool:
    parent = self.parent
    while parent is not None:
        if parent == task:
            return True
        parent = parent.parent
    return False


def _find_ancestor(self: Task, spec_name: str) -> Task | None:
    parent = self.parent
    while parent is not None:
        if parent.task_spec.name == spec_name:
            return parent
        parent = parent.parent
    return None


def _make_library_depth_safe() -> None:
    for cls in (TaskIterator, BpmnTaskIterator):
        init = cls.__init__
        names = init.__code__.co_varnames[:init.__code__.co_argcount]
        defaults = list(init.__defaults__ or ())
        defaults[names.index("max_depth") - (len(names) - len(defaults))] = sys.maxsize
        init.__defaults__ = tuple(defaults)
    Task.is_descendant_of = _is_descendant_of
    Task.find_ancestor = _find_ancestor


_make_library_depth_safe()


def definite_tasks(workflow: BpmnWorkflow) -> Iterator[Any]:
    """Every task that is not a mere prediction, in the tree's depth-first order, any depth."""
    stack = [workflow.task_tree]
    while stack:
        task = stack.pop()
        if task.state & TaskState.PREDICTED_MASK:
            continue  # predicted tasks have only predicted descendants
        yield task
        stack.extend(reversed(task.children))


def ready_tasks(workflow: BpmnWorkflow, manual: bool) -> list[Any]:
    """Ready tasks, human (``manual``) or the engine's own, in tree order."""
    return [t for t in definite_tasks(workflow)
            if t.state == TaskState.READY and t.task_spec.manual == manual]


def completed_tasks(workflow: BpmnWorkflow) -> list[Any]:
    return [t for t in workflow.tasks.values() if t.state == TaskState.COMPLETED]


def has_unfinished_tasks(workflow: BpmnWorkflow) -> bool:
    """Whether any task anywhere in the tree is not finished (the workflow has work left)."""
    return any(t.state & TaskState.NOT_FINISHED_MASK for t in workflow.tasks.values())


def run_engine_steps(workflow: BpmnWorkflow, budget: int = STEP_BUDGET) -> int:
    """Run ready engine tasks (gateways, events) until only human tasks wait, as
    ``do_engine_steps`` does, but at any depth and at most ``budget`` task runs: a process
    that keeps the engine busy fails the command instead of holding a worker forever.
    Sub-processes are refused at deploy, so the main workflow is all there is; a timer waits
    (WAITING, never READY) until the scheduler fires it."""
    runs = 0
    while batch := ready_tasks(workflow, manual=False):
        for task in batch:
            if runs >= budget:
                raise InvalidTaskData(
                    f"the process ran more than {budget} engine steps without reaching a "
                    "human task (a loop or fan-out in its BPMN); nothing was recorded")
            task.run()
            runs += 1
    return runs
