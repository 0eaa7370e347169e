"""The case's copy (``Case.__deepcopy__``, what the aggregate cache hands every command) is as
independent as a full deep copy for everything a later event changes, on a real case."""

from __future__ import annotations

import copy
import pickle
from uuid import UUID

from alur.bootstrap import Services
from orchestrator.case import Case
from orchestrator.commands import Actor, AddComment, ClaimTask, StartCase
from tests.starts import complaint
from tests.steps import complete_step

EVERYONE = Actor("tester", frozenset({"pelapor", "admin", "sekretaris", "unit_pengaduan",
                                      "rapat_pleno", "administrator"}))


def _state(case: Case) -> bytes:
    return pickle.dumps(sorted(vars(case).items(), key=lambda item: item[0]))


def test_a_copy_changed_by_later_events_leaves_the_original_as_it_was(
        services: Services) -> None:
    app = services.orchestrator
    case_id = app.start_case(StartCase("sop_9_3", complaint(), EVERYONE)).case_id
    for _ in range(3):
        complete_step(app, case_id, EVERYONE)
    app.add_comment(AddComment(case_id, EVERYONE, "Mohon dilengkapi."))
    original = app.get_case(case_id)
    before = _state(original)
    full = copy.deepcopy(vars(original))

    # the next commands run on copies of the cached case, as every command does
    task_id = next(iter(original.open_tasks))
    app.claim_task(ClaimTask(case_id, UUID(task_id), EVERYONE))
    app.add_comment(AddComment(case_id, EVERYONE, "Sudah.", UUID(task_id)))
    complete_step(app, case_id, EVERYONE, task_id)
    later = app.get_case(case_id)
    assert later.version > original.version and len(later.steps) == 4

    assert _state(original) == before  # nothing of the original moved
    assert vars(copy.deepcopy(original)) == vars(original) == full
    clone = copy.deepcopy(original)
    clone.open_tasks[task_id].claimed_by = "someone"
    clone.open_tasks[task_id].dispositions.append({"assignee": "someone"})
    clone.steps.append({"task_id": "x"})
    clone.comments.append({"text": "x"})
    clone.data["subjek"] = "lain"
    assert _state(original) == before
