"""Who may do what: the one authorization policy of Alur, on the write side.

The API, the pages and the CLI all ask these functions; none keeps role names of its own.
Each rule is a pure function of the actor (and, where it matters, the process model), so it
is tested once, here, and holds whatever edge a request comes through.
"""

from __future__ import annotations

from dataclasses import replace

from orchestrator.commands import Actor
from orchestrator.engine import ProcessModel
from orchestrator.errors import NotAllowed

INSPECTOR = "inspektur"
ADMINISTRATOR = "administrator"
PROCESS_OWNER = "pemilik_proses"
READ_ONLY_ROLES = frozenset({INSPECTOR})  # inspectors read, replay and verify; never act
# roles that read every (not sensitive) case: audit, process ownership, administration
CASE_READERS = frozenset({INSPECTOR, ADMINISTRATOR, PROCESS_OWNER})
# who sees every process in lists and dashboards: the supervisors and the service's own roles
OVERSEERS = frozenset({"sekretaris", "ketua", "kasubbag", "kasubbag_kul", "kasubbag_rendatin",
                       "kasubbag_tpph", "kasubbag_parmas_sdm", *CASE_READERS})
ACCESS_LOG_READERS = frozenset({INSPECTOR, ADMINISTRATOR})
CANCELLERS = frozenset({ADMINISTRATOR, PROCESS_OWNER})
# lanes in which the public acts: the portal (with the tracking code) acts there, not staff
REPORTER_LANES = frozenset({"pelapor", "penerima_penolak_gratifikasi", "pemohon_informasi"})
# the service's own roles: they run the service, they never handle a sensitive report
SERVICE_ROLES = frozenset({INSPECTOR, ADMINISTRATOR, PROCESS_OWNER})
# who deploys the repository's own processes/bpmn at start-up (the composition root's actor);
# no web request may act under this name
OPERATOR = "system"
# who fires timers, reminds, escalates and starts scheduled work (alur/scheduler.py); no HTTP
# endpoint issues these commands
SCHEDULER = "scheduler"


def ensure(allowed: bool, message: str) -> None:
    """Raise NotAllowed with ``message`` unless ``allowed``."""
    if not allowed:
        raise NotAllowed(message)


def may_write(actor: Actor) -> bool:
    """Inspectors are read-only: holding ``inspektur`` forbids every command."""
    return not actor.roles & READ_ONLY_ROLES


def ensure_may_write(actor: Actor) -> None:
    ensure(may_write(actor), f"{actor.username} is an inspector (read-only) and may not act")


def starting_roles(model: ProcessModel) -> set[str]:
    """Who starts a case: the process's ``starters`` (from the catalogue: the lane of the
    decree's first row, plus the staff desk that receives on paper what the public submits);
    a process without the property (a new one from the modeler) by any of its lanes."""
    return set(model.starters) if model.starters else set(model.lanes.values())


def may_start(actor: Actor, model: ProcessModel) -> bool:
    """A case is started by someone who holds one of the process's starting roles."""
    return may_write(actor) and bool(actor.roles & starting_roles(model))


def may_start_from_pages(actor: Actor, model: ProcessModel) -> bool:
    """Listed on /mulai: a starting role held as staff. The public's own lanes (Pelapor, …)
    start from the portal /layanan, where the tracking code is issued."""
    return may_write(actor) and bool(actor.roles & (starting_roles(model) - REPORTER_LANES))


def may_extend_deadline(actor: Actor, model: ProcessModel) -> bool:
    """The service time is extended by anyone who works in the process (any of its lanes)."""
    return may_write(actor) and bool(actor.roles & set(model.lanes.values()))


def may_act_in(actor: Actor, lane: str) -> bool:
    return may_write(actor) and actor.holds(lane)


def may_generate_document(actor: Actor, model: ProcessModel, lane: str) -> bool:
    """A letter is generated in a step by those who may act in its lane; in a sensitive case
    only by its readers (as for its attachments), never in a reporter's lane."""
    return may_act_in(actor, lane) and may_see_task(actor, model, lane)


def may_assign(actor: Actor, lane: str, holder: str | None) -> bool:
    """Disposing a step: a holder of its lane while nobody holds it, or its current holder
    (the assignee redisposing it, or whoever claimed it) — never someone else's step."""
    return may_act_in(actor, lane) and holder in (None, actor.username)


def may_hold(assignee: Actor, lane: str, model: ProcessModel) -> bool:
    """Who a step may be disposed to: an active user (the caller checks) who may act in its
    lane, and in a sensitive case also reads it (never a reporter lane)."""
    return may_act_in(assignee, lane) and may_see_task(assignee, model, lane)


def may_comment(actor: Actor, model: ProcessModel) -> bool:
    """Comments: whoever may read the case and act at all; on a sensitive case only those
    who may act on it (its staff lanes), since readers there are few by design."""
    if not may_write(actor) or not may_read_case(actor, model):
        return False
    return not model.sensitive or bool(actor.roles & staff_lanes(model))


def may_cancel(actor: Actor) -> bool:
    return may_write(actor) and bool(actor.roles & CANCELLERS)


def may_deploy(actor: Actor) -> bool:
    return may_write(actor) and actor.holds(PROCESS_OWNER)


def may_manage_users(actor: Actor) -> bool:
    """Administrators manage users and roles; an inspector never does, even if also admin."""
    return may_write(actor) and actor.holds(ADMINISTRATOR)


def may_manage_calendar(actor: Actor) -> bool:
    """Administrators declare cuti bersama and change office hours; an inspector never does."""
    return may_write(actor) and actor.holds(ADMINISTRATOR)


def may_manage_deliveries(actor: Actor) -> bool:
    """Administrators see the outbox's failures and send them again."""
    return may_manage_users(actor)


def may_read_access_log(actor: Actor) -> bool:
    return bool(actor.roles & ACCESS_LOG_READERS)


def may_audit(actor: Actor) -> bool:
    """Inspectors and administrators use the audit pages (replay, verify, export)."""
    return bool(actor.roles & ACCESS_LOG_READERS)


def staff_lanes(model: ProcessModel) -> set[str]:
    """The process's lanes in which staff act (the public's own lanes excluded)."""
    return set(model.lanes.values()) - REPORTER_LANES


def may_read_case(actor: Actor, model: ProcessModel) -> bool:
    """Whether the actor may open a case of this process (and so list, export, replay it).

    Lanes of the process, the supervisors who oversee every unit's work (Keputusan 33/2025:
    the Sekretaris supervises; the Ketua and the Kasubbags oversee their units), and the roles
    that read every case for audit and administration. A sensitive process (WBS, gratifikasi)
    is read only by its staff lanes and inspectors: not by the reporter-side lanes (a reporter
    follows the report by its tracking code), nor by supervisors outside its lanes, process
    owners or administrators (they run the service, they handle no report).
    """
    if model.sensitive:
        return bool(actor.roles & (staff_lanes(model) | {INSPECTOR}))
    return bool(actor.roles & (set(model.lanes.values()) | OVERSEERS))


def may_list_process(actor: Actor, model: ProcessModel) -> bool:
    """Whether the process's cases appear in the actor's lists, searches and dashboards:
    exactly those the actor may open, so no listed case answers 404."""
    return may_read_case(actor, model)


def may_see_task(actor: Actor, model: ProcessModel, lane: str) -> bool:
    """A task row (inbox, task lookup) of this process: a sensitive case's tasks only to its
    readers, and its reporter-lane steps to nobody on staff (the portal takes them)."""
    if not model.sensitive:
        return True
    return may_read_case(actor, model) and lane not in REPORTER_LANES


def reporter_lanes(model: ProcessModel) -> set[str]:
    return set(model.lanes.values()) & REPORTER_LANES


def requester_may_complete(model: ProcessModel, lane: str) -> bool:
    """The public, holding its own case's tracking code, completes that case's steps in a
    requester lane (Pemohon informasi, Pelapor: SOP 9.22-b row 2's perbaikan); never a staff
    lane, and never in a sensitive case (its reporter's steps are taken at intake only)."""
    return lane in reporter_lanes(model) and not model.sensitive


def desk_for_requester(actor: Actor, model: ProcessModel) -> Actor:
    """The desk that receives on paper what the public submits (the process's staff
    ``starters``: SOP 9.22's Petugas Pelayanan Informasi) also takes the requester's later
    steps on their behalf in a case that is not sensitive: a correction brought to the desk,
    or the request left uncorrected when its time has passed (9.22-b row 2, "tidak
    menyerahkan perbaikan"), so that no case waits for ever on someone who is not staff.
    Never in a sensitive case (there the reporter's step is taken at intake only)."""
    if model.sensitive or not may_write(actor) \
            or not actor.roles & (starting_roles(model) - REPORTER_LANES):
        return actor
    return replace(actor, roles=actor.roles | frozenset(reporter_lanes(model)))


def requester_may_object(model: ProcessModel, status: str, overdue: bool,
                         relations: set[str]) -> bool:
    """The requester objects (SOP 9.22-d; UU 14/2008 Pasal 35) to a request whose process
    names an objection (``followed_by: keberatan``), once, after it was answered or refused
    (the case completed) or when its service time has passed unanswered."""
    return ("keberatan" in model.followed_by and "keberatan" not in relations
            and (status == "completed" or (status == "active" and overdue)))


def reporter_lanes_held(actor: Actor) -> frozenset[str]:
    """The public's lanes this (staff) account holds: where sensitive rows are hidden."""
    return actor.roles & REPORTER_LANES


def on_behalf_of_reporter(actor: Actor, model: ProcessModel) -> Actor:
    """Staff entering a sensitive report (received by letter, in person) also take the
    reporter's own first step, at intake, as the portal does; never afterwards. Someone who
    may not start the process gains nothing."""
    if not model.sensitive or not may_start(actor, model):
        return actor
    return replace(actor, roles=actor.roles | frozenset(reporter_lanes(model)))


def handling_role_problem(role: str, model: ProcessModel) -> str | None:
    """Why ``role`` cannot handle this sensitive process's reporters (None when it can)."""
    if role in SERVICE_ROLES:
        return "a service role (administrator, process owner, inspector) handles no report"
    if role in REPORTER_LANES:
        return "a reporter's lane cannot handle reports"
    if role not in staff_lanes(model):
        return "the handling role must be one of the process's staff lanes"
    return None


def may_approve_sensitivity(actor: Actor) -> bool:
    """Administrators approve a change of ``sensitive``/``handling_role`` before a deploy."""
    return may_write(actor) and actor.holds(ADMINISTRATOR)


def needs_sensitivity_approval(actor: Actor) -> bool:
    """Every deploy but the operator's of the repository's reviewed processes/bpmn."""
    return actor.username != OPERATOR


def may_see_reporter(actor: Actor, model: ProcessModel) -> bool:
    """Only the handling role sees a sensitive case's reporter in clear."""
    return model.handling_role is not None and actor.holds(model.handling_role)


def may_appoint_acting(actor: Actor, role: str) -> bool:
    """Administrators name an acting official for any role; an official names one for a role
    they hold themselves (not one they only act in); an inspector never does."""
    if INSPECTOR in actor.roles:
        return False
    return may_manage_users(actor) or (actor.holds(role) and actor.acting_for(role) is None)


def may_run_schedule(actor: Actor) -> bool:
    """Timers, reminders, escalations and scheduled starts are the scheduler's alone."""
    return actor.username == SCHEDULER and not actor.roles & READ_ONLY_ROLES
