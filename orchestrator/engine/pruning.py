"""Forget the finished part of a long workflow's task tree.

SpiffWorkflow keeps every task it ever created: a rework loop (perbaikan, tidak lengkap …)
adds a chain of tasks per round, and every command walks the whole tree (finding the ready
tasks, the completed ones, the checkpoint), so a case that went round 1000 times cost 10–20×
one that went round 10 times (benchmarks: history_length). What happened is already on
record in the case's own events (each step, each gateway passage, each checkpoint); the
engine needs only the part of the tree that can still change.

That part hangs under the lowest common ancestor of the unfinished (definite) tasks: every
join, every boundary event and every timer that can still fire is below it. Above it are
finished tasks only, and their other descendants are finished or predictions of branches
their finished gateways did not take. The tree is cut ``KEEP`` tasks above that ancestor at a
*completed* task (the anchor), which becomes the root's only child: the anchor has nothing
left to inherit or run, and its descendants took their data from it when they were created.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

PRUNE_AT = 96  # tasks in the tree before anything is cut (a plain SOP case never reaches it)
KEEP = 8  # finished ancestors kept above the unfinished part (the last steps' context)


def prune(workflow: BpmnWorkflow, prune_at: int | None = None, keep: int | None = None) -> int:
    """Cut the finished history above the unfinished part of the top-level tree; returns
    how many tasks were forgotten (0 when the tree is small or nothing can be cut)."""
    prune_at = PRUNE_AT if prune_at is None else prune_at
    keep = KEEP if keep is None else keep
    if len(workflow.tasks) <= prune_at:
        return 0
    root = workflow.task_tree
    anchor = _anchor(workflow, root, keep)
    if anchor is None:
        return 0
    kept = _subtree(anchor)
    kept.add(root.id)
    forgotten = [task_id for task_id in workflow.tasks if task_id not in kept]
    for task_id in forgotten:
        del workflow.tasks[task_id]
        workflow.subprocesses.pop(task_id, None)  # a finished call activity's own workflow
    root._children = [anchor.id]
    anchor._parent = root.id
    if workflow.last_task is not None and workflow.last_task.id not in kept:
        workflow.last_task = None  # run_next then starts from the root, as it can
    return len(forgotten)


def _anchor(workflow: BpmnWorkflow, root: Any, keep: int) -> Any | None:
    unfinished = [task for task in workflow.tasks.values()
                  if task.has_state(TaskState.DEFINITE_MASK)]
    if not unfinished:
        return None
    path = _ancestry(unfinished[0])  # the task, its parent, … the root
    position = {task.id: index for index, task in enumerate(path)}
    lowest = 0  # index in ``path`` of the lowest common ancestor so far
    for task in unfinished[1:]:
        node = task
        while node.id not in position:
            node = node.parent
        lowest = max(lowest, position[node.id])
    index = lowest + keep
    if index >= len(path) - 2:  # the anchor must lie below the root's first child
        return None
    anchor = path[index]
    if anchor.state != TaskState.COMPLETED:
        return None
    return anchor


def _ancestry(task: Any) -> list[Any]:
    path = []
    while task is not None:
        path.append(task)
        task = task.parent
    return path


def _subtree(top: Any) -> set[UUID]:
    found: set[UUID] = set()
    stack = [top]
    while stack:
        task = stack.pop()
        found.add(task.id)
        stack.extend(task.children)
    return found
