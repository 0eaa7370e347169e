"""What each deployed version says of its user tasks, by the sha256 of its BPMN.

A TaskActivated stores its form and properties empty when they are what the case's deployed
version gives for that element (the case's Started names the version and carries its
``bpmn_sha256``, chained): the reference is resolved here. A version is immutable and this
catalogue is content-addressed, so every app in the process shares it and resolution is
deterministic. ``load_model`` remembers each model it parses; a lookup for a version no model
of this process has parsed yet raises ``ModelNotLoaded`` (carrying the key and version), and
the repository loads that version and reads again (orchestrator/repository.py).
"""

from __future__ import annotations

import threading
from typing import Any


class ModelNotLoaded(LookupError):
    """The deployed version a reference points to has not been parsed in this process."""

    def __init__(self, key: str, version: int, sha256: str) -> None:
        super().__init__(f"process {key} v{version} ({sha256[:12]}) is not loaded")
        self.key, self.version, self.sha256 = key, version, sha256


_TASKS: dict[str, dict[str, dict[str, Any]]] = {}
_LOCK = threading.Lock()


def remember(sha256: str, tasks: dict[str, dict[str, Any]]) -> None:
    """The user tasks of a parsed version (element id -> {name, lane, form, properties})."""
    with _LOCK:
        _TASKS[sha256] = tasks


def task_of(sha256: str, element_id: str, key: str = "", version: int = 0) -> dict[str, Any]:
    """The version's user task ``element_id``; ModelNotLoaded if the version is not parsed."""
    tasks = _TASKS.get(sha256)
    if tasks is None:
        raise ModelNotLoaded(key, version, sha256)
    try:
        return tasks[element_id]
    except KeyError:
        raise LookupError(f"version {sha256[:12]} has no user task {element_id}") from None


def is_as_deployed(sha256: str, element_id: str, form: dict[str, Any],
                   properties: dict[str, Any]) -> bool:
    """Whether ``form`` and ``properties`` are exactly what the version gives the element
    (then an activation may store them by reference)."""
    tasks = _TASKS.get(sha256)
    task = tasks.get(element_id) if tasks else None
    return bool(task and form and task["form"] == form and task["properties"] == properties)
