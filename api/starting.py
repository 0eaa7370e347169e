"""Starting a case, for the API and the pages alike: uploads are staged, the start data may
cite them, and they enter the attachment store only once the case is saved; a staff member
entering a sensitive report (received by letter) takes the reporter's own step at intake."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from api.auth import services
from api.intake import reporter_steps
from api.uploads import ATTACHMENTS, LIMITS, attachment_store
from orchestrator.commands import Actor, CommandResult, StartCase
from orchestrator.errors import InvalidInput
from orchestrator.policy import on_behalf_of_reporter


def start_with_files(process: str, data: dict[str, Any], actor: Actor,
                     files: Sequence[tuple[IO[bytes], str]] = ()) -> CommandResult:
    """Start a case of ``process`` with ``data`` plus the uploads (appended to ``lampiran``)."""
    app = services().orchestrator
    model, _ = app.model(process)
    cited = data.get(ATTACHMENTS) or []
    if not isinstance(cited, list):
        raise InvalidInput("lampiran must be a list", errors={ATTACHMENTS: ["harus daftar"]})
    follow_up, starter = None, actor
    if model.sensitive:  # the reporter's own step is the report: taken at intake
        starter = on_behalf_of_reporter(actor, model)
    with attachment_store().stage(list(files), LIMITS) as staged:
        if staged.references:
            data = {**data, ATTACHMENTS: [*cited, *staged.references]}
        if model.sensitive:
            follow_up = reporter_steps(data, starter, strict=True)
        result = app.start_case(StartCase(process, data, starter), follow_up,
                                uploaded=staged.hashes)
        staged.commit()
    services().projections.poke()
    return result
