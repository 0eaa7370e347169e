"""A completion reads its case's stored history only when its data cites a file it did not
upload and its case's current data does not cite either (the lazy check of
``ensure_cited_only``): otherwise every completion cost O(history), in a long rework loop
most of the command."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from alur.bootstrap import Services
from orchestrator.commands import Actor, CompleteTask, StartCase
from orchestrator.errors import InvalidTaskData

ADMIN = Actor("admin", frozenset({"admin"}))


def _file(sha: str) -> dict[str, Any]:
    return {"nama": "bukti.pdf", "sha256": sha * 64, "ukuran": 10}



def _complete(services: Services, case_id: UUID, data: dict[str, Any],
              uploaded: frozenset[str] = frozenset()) -> None:
    app = services.orchestrator
    (task_id,) = app.get_case(case_id).open_tasks
    app.complete_task(CompleteTask(case_id, UUID(task_id), ADMIN, data), uploaded=uploaded)


def test_a_completion_that_cites_nothing_unknown_reads_no_history(
        rework: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    app = rework.orchestrator
    case_id = app.start_case(StartCase("rework", {}, ADMIN)).case_id
    _complete(rework, case_id, {"ok": "tidak"})
    (task_id,) = app.get_case(case_id).open_tasks  # the case is cached now
    reads: list[dict[str, Any]] = []
    real_get = app.events.get

    def counting_get(originator_id: UUID, *args: Any, **kwargs: Any) -> Any:
        reads.append({"id": originator_id, **kwargs})
        return real_get(originator_id, *args, **kwargs)

    monkeypatch.setattr(app.events, "get", counting_get)
    app.complete_task(CompleteTask(case_id, UUID(task_id), ADMIN, {"ok": "tidak"}))
    from_start = [r for r in reads if r["id"] == case_id and r.get("gt") is None]
    assert from_start == [], "the completion read the case's whole history"


def test_a_file_the_case_cited_before_may_be_cited_again_and_no_other(
        rework: Services) -> None:
    app = rework.orchestrator
    case_id = app.start_case(StartCase("rework", {}, ADMIN)).case_id
    first = _file("a")
    _complete(rework, case_id, {"ok": "tidak", "lampiran": [first]},
              uploaded=frozenset({first["sha256"]}))
    _complete(rework, case_id, {"ok": "tidak"})  # the case's data no longer cites it
    _complete(rework, case_id, {"ok": "tidak", "lampiran": [first]})  # found in the history
    with pytest.raises(InvalidTaskData):
        _complete(rework, case_id, {"ok": "tidak", "lampiran": [_file("b")]})
