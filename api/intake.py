"""Public intake: start a case from a citizen's report, issue its tracking ticket, and answer
status checks. Used by the public API (``api/portal.py``) and the portal's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from flask import current_app, request
from marshmallow import Schema

from api.attachments import AttachmentStore, Limits
from api.auth import services
from api.portal_schemas import (
    HONEYPOT,
    GratifikasiSchema,
    InformasiSchema,
    PengaduanSchema,
    WbsSchema,
)
from api.presenters import WITA, deadline_dict
from api.public_view import public_status
from api.ratelimit import Rate, TokenBuckets
from orchestrator.application import Complete, FollowUp
from orchestrator.audit import Auditor
from orchestrator.case import Case
from orchestrator.commands import Actor, CompleteTask, StartCase
from orchestrator.engine import ProcessModel
from orchestrator.errors import Conflict, InvalidInput, InvalidTaskData, NotFound
from orchestrator.policy import REPORTER_LANES, requester_may_complete, requester_may_object
from orchestrator.tickets import PublicTicket, dummy_check, ticket_id

PORTAL_USER = "portal"
PORTAL_NOTE = "Disampaikan melalui portal layanan publik."
LIMITS = Limits(max_files=3, max_file_bytes=3 * 1024 * 1024)
MAX_BODY = 10 * 1024 * 1024
SUBMIT_RATE = Rate(capacity=5, per_seconds=120)
STATUS_RATE = Rate(capacity=20, per_seconds=6)
STATUS_ID = {"active": "Sedang diproses", "completed": "Selesai", "cancelled": "Dibatalkan"}


@dataclass(frozen=True)
class Kind:
    """One kind of public report: the process it starts and its payload."""

    key: str
    process: str
    title: str
    intro: str
    schema: type[Schema]
    anonymous: bool = False


KINDS = {k.key: k for k in (
    Kind("pengaduan", "sop_9_3", "Pengaduan masyarakat",
         "Sampaikan pengaduan tentang pelayanan publik di KPU Kota Bontang.", PengaduanSchema),
    Kind("wbs", "sop_9_5", "Whistle Blowing System (WBS)",
         "Laporkan dugaan pelanggaran oleh pegawai. Identitas Anda dirahasiakan dan boleh "
         "tidak diisi.", WbsSchema, anonymous=True),
    Kind("gratifikasi", "sop_9_4", "Pelaporan gratifikasi",
         "Laporkan penerimaan atau penolakan gratifikasi. Identitas pelapor dirahasiakan.",
         GratifikasiSchema),
    Kind("informasi", "sop_9_22", "Permohonan informasi publik (PPID)",
         "Ajukan permohonan informasi publik kepada PPID KPU Kota Bontang.", InformasiSchema),
)}


@dataclass(frozen=True)
class Receipt:
    """What the submitter gets: the registration number and the code, shown once."""

    registration: str
    code: str
    case_id: UUID
    kind: str


def buckets() -> TokenBuckets:
    return current_app.extensions.setdefault("alur.portal_buckets", TokenBuckets())


def limit(purpose: str) -> None:
    """Spend one of this client's tokens for ``purpose`` (submit or status), or 429."""
    rate = current_app.config.get(f"ALUR_PORTAL_{purpose.upper()}_RATE") or (
        SUBMIT_RATE if purpose == "submit" else STATUS_RATE)
    buckets().take(purpose, request.remote_addr or "?", rate)


def attachment_store() -> AttachmentStore:
    return AttachmentStore(services().config.data_dir / "lampiran")


def first_lane(model: ProcessModel) -> str:
    """The lane of the decree's first row (the task with the lowest ``row``)."""
    def row(task: dict[str, Any]) -> int:
        text = str(task["properties"].get("row", ""))
        return int(text) if text.isdigit() else 10**6
    own = [t for t in model.tasks.values() if not t["properties"].get("flowchart")]
    first = min(own or model.tasks.values(), key=row)  # a linked flowchart's rows aside
    return str(first["lane"])


def clean(kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    """Refuse the honeypot; drop empty optional fields and the anonymous reporter's identity."""
    if str(data.pop(HONEYPOT, "") or "").strip():
        raise InvalidInput("Permintaan ditolak.", errors={HONEYPOT: ["harus kosong"]})
    data = {k: v for k, v in data.items() if v not in ("", None)}
    if data.pop("anonim", False):
        data = {k: v for k, v in data.items() if not k.startswith("pelapor")}
    return data


def submit(kind: Kind, data: dict[str, Any], files: list[tuple[IO[bytes], str]]) -> Receipt:
    """Start the case as the portal, complete the reporter's own step, issue the ticket.

    Uploads are staged and enter the attachment store only once the case is saved."""
    svc = services()
    app = svc.orchestrator
    data = clean(kind, data)
    with attachment_store().stage(files, LIMITS) as staged:
        if staged.references:
            data["lampiran"] = staged.references
        data["kanal"] = "portal"
        model, _ = app.model(kind.process)
        actor = Actor(PORTAL_USER, frozenset({first_lane(model)}))
        codes: list[str] = []
        steps = reporter_steps(data, actor, PORTAL_NOTE, strict=model.sensitive)

        def reporter_steps_and_ticket(case: Case, complete: Complete) -> list[Any]:
            steps(case, complete)
            ticket, code = PublicTicket.issue(case.registration, case.id, kind.key)
            codes.append(code)  # the last attempt's code is the saved one
            return [ticket]

        result = app.start_case(StartCase(kind.process, data, actor), reporter_steps_and_ticket,
                                uploaded=staged.hashes)
        staged.commit()
    svc.projections.poke()
    case = app.get_case(result.case_id)
    return Receipt(case.registration, codes[-1], case.id, kind.key)


def reporter_steps(data: dict[str, Any], actor: Actor, note: str | None = None,
                   strict: bool = False) -> FollowUp:
    """A start's follow-up: the reporter's own open steps, completed with the submission
    (``note`` as their ``catatan`` where the data has none). ``strict`` (sensitive
    processes, where no staff member may take the reporter's step later): a submission that
    cannot complete it is refused, rather than leaving a case nobody can move."""
    def take(case: Case, complete: Complete) -> list[Any]:
        for task in list(case.open_tasks.values()):
            if task.lane in REPORTER_LANES and task.lane in actor.roles:
                _complete_reporter_step(task, data, complete, case.id, note, strict)
        return []
    return take


def _complete_reporter_step(task: Any, data: dict[str, Any], complete: Complete,
                            case_id: UUID, note: str | None, strict: bool) -> None:
    form = task.form or {}
    properties = form.get("properties", {})
    answer = {k: v for k, v in data.items() if k in properties}
    if note and "catatan" in properties and "catatan" not in answer:
        answer["catatan"] = note
    missing = sorted(set(form.get("required", [])) - set(answer))
    if missing and strict:
        raise InvalidTaskData("the report lacks what its first step needs",
                              errors={name: ["wajib diisi (required)"] for name in missing})
    if missing:
        return  # a decision the reporter cannot make here: staff take it
    try:
        complete(UUID(task.task_id), answer)
    except InvalidTaskData:
        if strict:
            raise
        current_app.logger.warning("portal could not complete %s of %s", task.element_id,
                                   case_id)


def _wita(moment: datetime) -> str:
    return moment.astimezone(WITA).isoformat()


def ticket_of(registration: str, code: str) -> PublicTicket | None:
    """The ticket the code opens (constant-time compare), or None when the registration is
    unknown or the code wrong: the same work either way, so answers tell no numbers apart."""
    app = services().orchestrator
    try:
        ticket: PublicTicket = app.repository.get(ticket_id(registration))
    except AggregateNotFoundError:
        dummy_check(code)  # the same work as a wrong code: no telling which numbers exist
        return None
    return ticket if ticket.matches(code) else None


def status_of(registration: str, code: str) -> dict[str, Any] | None:
    """The report's status, or None when the registration is unknown or the code is wrong."""
    ticket = ticket_of(registration, code)
    if ticket is None:
        return None
    app = services().orchestrator
    case = app.get_case(UUID(ticket.case_id))
    auditor = Auditor(app)
    auditor.record_read(case, Actor(PORTAL_USER, frozenset()), "status (portal publik)")
    events = app.case_events(case.id)
    deadline = deadline_dict(case, services().calendar)
    model = auditor.model(case)
    shown = public_status(case, model)
    shown["may_object"] = _may_object(case, model, deadline)
    if shown["may_object"]:
        shown["objection_reasons"] = objection_reasons(app.model(model.followed_by[OBJECTION])[0])
    return {
        "registration": case.registration,
        "kind": ticket.kind,
        "process_name": auditor.model(case).name,
        "status": case.status,
        "status_label": STATUS_ID.get(case.status, case.status),
        "started_at": _wita(events[0].timestamp),
        "updated_at": _wita(events[-1].timestamp),
        "deadline_at": deadline["due_at"] if deadline else None,
        **shown,
    }


OBJECTION = "keberatan"


def _may_object(case: Case, model: ProcessModel, deadline: dict[str, Any] | None) -> bool:
    due = deadline["due_at"] if deadline else None
    overdue = bool(due) and datetime.fromisoformat(str(due)) <= datetime.now(WITA)
    return requester_may_object(model, case.status, overdue,
                                {link["relation"] for link in case.links})


def objection_reasons(model: ProcessModel) -> dict[str, str]:
    """The reasons an objection may give: the options of its first row's ``alasan_keberatan``
    (the objection form of SOP 9.22-d row 1)."""
    first = next((t for t in model.tasks.values()
                  if "alasan_keberatan" in (t["form"].get("properties") or {})), None)
    spec = (first or {"form": {}})["form"].get("properties", {}).get("alasan_keberatan", {})
    return dict(spec.get("x-enumLabels") or {})


def objection(registration: str, code: str, reason: str, text: str) -> Receipt | None:
    """The requester's objection to their own request (SOP 9.22-d), as the portal: a case of
    the process the request's ``followed_by`` names, linked both ways (``CaseLinked``) and
    opened by the same code. None when the number or code does not match."""
    ticket = ticket_of(registration, code)
    if ticket is None:
        return None
    svc = services()
    app = svc.orchestrator
    origin = app.get_case(UUID(ticket.case_id))
    model, _ = app.model(origin.process_key, origin.process_version)
    process = model.followed_by.get(OBJECTION)
    if process is None:
        raise NotFound("Keberatan tidak dapat diajukan atas laporan ini melalui portal.")
    if any(link["relation"] == OBJECTION for link in origin.links):
        raise Conflict("Keberatan atas permohonan ini sudah diajukan.")
    if not _may_object(origin, model, deadline_dict(origin, svc.calendar)):
        raise Conflict("Keberatan dapat diajukan setelah permohonan dijawab atau ditolak, "
                       "atau bila batas waktu layanannya terlewati.")
    target, _ = app.model(process)
    reasons = objection_reasons(target)
    if reason not in reasons:
        raise InvalidInput("alasan keberatan tidak dikenal",
                           errors={"alasan": ["Pilih salah satu pilihan."]})
    actor = Actor(PORTAL_USER, frozenset({first_lane(target)}))
    data = {"subjek": f"Keberatan atas permohonan {origin.registration}: "
                      f"{origin.data.get('subjek', '')}"[:200],
            "registrasi_permohonan": origin.registration,
            "alasan_keberatan": f"{reasons[reason]}. {text}",
            "pemohon_nama": origin.data.get("pemohon_nama", ""),
            "pemohon_kontak": origin.data.get("pemohon_kontak", "")}

    def linked_with_ticket(case: Case, _complete: Complete) -> list[Any]:
        request_case = app.get_case(origin.id)  # afresh on every attempt of the start
        request_case.link(OBJECTION, case, actor)
        case.link("permohonan", request_case, actor)
        return [request_case, PublicTicket.sharing(ticket, case.registration, case.id,
                                                   OBJECTION)]

    result = app.start_case(StartCase(process, data, actor), linked_with_ticket)
    svc.projections.poke()
    case = app.get_case(result.case_id)
    return Receipt(case.registration, "", case.id, OBJECTION)


def requester_step(registration: str, code: str, task_id: str, data: dict[str, Any],
                   files: list[tuple[IO[bytes], str]]) -> dict[str, Any] | None:
    """Complete the requester's own open step of the case the code opens (SOP 9.22-b row 2,
    perbaikan), as the portal: None when the number or code does not match; NotFound when
    the case has no such step open for the requester. Returns the status after it."""
    ticket = ticket_of(registration, code)
    if ticket is None:
        return None
    app = services().orchestrator
    case = app.get_case(UUID(ticket.case_id))
    model, _ = app.model(case.process_key, case.process_version)
    task = case.open_tasks.get(task_id)
    if task is None or not requester_may_complete(model, task.lane):
        raise NotFound("Tidak ada langkah pemohon yang terbuka dengan nomor itu pada kasus ini.")
    # files only as uploaded with this request: never references typed into the data
    data = {k: v for k, v in data.items() if v not in ("", None) and k != "lampiran"}
    with attachment_store().stage(files, LIMITS) as staged:
        if staged.references:
            data["lampiran"] = staged.references
        if "catatan" in (task.form.get("properties") or {}) and "catatan" not in data:
            data["catatan"] = PORTAL_NOTE
        app.complete_task(CompleteTask(case.id, UUID(task.task_id),
                                       Actor(PORTAL_USER, frozenset({task.lane})), data,
                                       expected_version=case.version),
                          uploaded=staged.hashes)
        staged.commit()
    services().projections.poke()
    return status_of(registration, code)
