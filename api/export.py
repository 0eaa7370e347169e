"""A case's audit export: every event, the registration and the chain's verification, as JSON
or as a PDF with Indonesian headings (for inspectors' files). Shared by the API and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from api.presenters import WITA, event_dict, verification_dict
from orchestrator.application import Orchestrator
from orchestrator.audit import Auditor
from orchestrator.commands import Actor

FORMATS = ("json", "pdf")


def export_document(app: Orchestrator, case_id: UUID, actor: Actor, what: str) -> dict[str, Any]:
    """The export as a dict; reading a sensitive case this way is logged first."""
    auditor = Auditor(app)
    case = app.get_case(case_id)
    events = app.case_events(case_id, resolved=True)
    model = auditor.model(case)
    head = {
        "id": str(case.id), "registration": case.registration,
        "process": {"key": case.process_key, "version": case.process_version,
                    "name": model.name, "bpmn_sha256": case.bpmn_sha256},
        "status": case.status, "started_by": case.started_by,
        "started_at": events[0].timestamp.astimezone(WITA).isoformat(),
        "case_version": case.version,
    }
    if auditor.is_sensitive(case):
        head["reporter"], revealed = auditor.reporter(case, actor)
        auditor.record_read(case, actor, what, revealed)
    return {
        "case": head,
        "events": [event_dict(e) for e in events],
        "verification": verification_dict(auditor.verify(case_id)),
        "exported_at": datetime.now(UTC).astimezone(WITA).isoformat(),
        "exported_by": actor.username,
    }


def render_pdf(doc: dict[str, Any], app: Orchestrator | None = None) -> bytes:
    """The export as a PDF in Indonesian (api/audit_pdf.py); with ``app``, the diagram too."""
    # imported here: api.audit_pdf uses the pages' Indonesian formatting, and the pages
    # package imports this module (the audit page's exports)
    from api.audit_pdf import render

    return render(doc, app)
