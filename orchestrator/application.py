"""The Orchestrator application service: one short method per command, one save per command."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    ProjectorFunction,
    Repository,
    project_aggregate,
)
from eventsourcing.persistence import (
    EventStore,
    IntegrityError,
    JSONTranscoder,
    Recording,
    Transcoding,
)

from orchestrator.access import AccessLog
from orchestrator.acting import ActingAppointments, ActingFor, acting_id, acting_problems
from orchestrator.case import Case, OpenTask, resolve_activation
from orchestrator.commands import (
    Actor,
    AddComment,
    AppointActing,
    AssignTask,
    CancelCase,
    ChangeOfficeHours,
    ClaimTask,
    CommandResult,
    CompleteTask,
    DeclareCutiBersama,
    DeployProcess,
    EndActing,
    EscalateDeadline,
    EscalateTask,
    ExtendDeadline,
    FireTimer,
    GenerateDocument,
    ReleaseTask,
    RemindTask,
    StartCase,
    WithdrawCutiBersama,
)
from orchestrator.contention import ATTEMPTS, back_off
from orchestrator.definitions import Directory, ProcessDefinition, definition_id, directory_id
from orchestrator.dispositions import field_lanes, user_fields, user_problem
from orchestrator.documents import FORMATS, Template, Templates, file_name, fill, shown_value
from orchestrator.engine import Engine, ProcessModel, catalog, load_model
from orchestrator.errors import (
    CaseNotFound,
    Conflict,
    InvalidInput,
    InvalidTaskData,
    NotFound,
    ProcessNotFound,
    StaleCaseVersion,
    TaskClaimedByOther,
)
from orchestrator.forms import validate_form
from orchestrator.letters import render
from orchestrator.office_calendar import (
    AHEAD,
    CALENDAR_ID,
    CalendarBook,
    OfficeCalendar,
    declare_problems,
    history_rows,
    hours_problem,
    withdraw_problems,
)
from orchestrator.policy import (
    desk_for_requester,
    ensure,
    ensure_may_write,
    may_appoint_acting,
    may_assign,
    may_cancel,
    may_comment,
    may_deploy,
    may_extend_deadline,
    may_generate_document,
    may_hold,
    may_manage_calendar,
    may_manage_users,
    may_run_schedule,
    may_see_task,
    may_start,
    may_write,
)
from orchestrator.references import ensure_cited_only, references
from orchestrator.registration import Register, Registers, RegistrationCounter, counter_id
from orchestrator.repository import StripedCacheRepository
from orchestrator.roles import RoleRegistry
from orchestrator.schedules import Occurrence, Schedule, ScheduledStart
from orchestrator.sealing import Sealer, split_reporter
from orchestrator.sensitivity import (
    ensure_deployable,
    ensure_no_identity_in_completion,
    ensure_no_identity_in_start,
)
from orchestrator.snapshots import SealingMapper, SnapshotSigner
from orchestrator.standards import ServiceStandard
from orchestrator.users import User, user_id
from orchestrator.worktime import Calendar

PROCESSES, USERS, ACTING = "processes", "users", "acting"
Complete = Callable[[UUID, dict[str, Any]], None]  # complete a task of the case being started
FollowUp = Callable[[Case, Complete], list[Any]]
WITA = ZoneInfo("Asia/Makassar")
T = TypeVar("T")
CASE_VERSIONS = 4096  # cases whose deployed version a reader of the log keeps in mind


@dataclass(frozen=True)
class GeneratedDocument:
    """What generating a letter returns: the command's result, the case's record of the
    letter (number, sha256, name …) and the file's bytes, for the caller to store."""

    result: CommandResult
    document: dict[str, Any]
    content: bytes


class OpenTaskAsDict(Transcoding):
    """Snapshots hold a case's open tasks; store them as plain dicts."""

    type = OpenTask
    name = "open_task"

    def encode(self, obj: OpenTask) -> dict[str, Any]:
        return asdict(obj)

    def decode(self, data: dict[str, Any]) -> OpenTask:
        return OpenTask(**data)


class Orchestrator(Application[UUID]):
    """Write side of Alur: processes, cases and users as event-sourced aggregates."""

    name = "alur"
    # the registration counter and the directories grow by one event per case/user/process:
    # snapshots keep loading them O(1)
    snapshotting_intervals = {Case: 50, AccessLog: 100, RegistrationCounter: 20, Directory: 20}

    def __init__(self, env: dict[str, str] | None = None, roles: RoleRegistry | None = None,
                 standards: dict[str, ServiceStandard] | None = None,
                 sealer: Sealer | None = None, snapshot_key: str = "",
                 registers: Registers | None = None,
                 templates: Templates | None = None,
                 calendar: Calendar | None = None) -> None:
        # before the library builds the repository; without the service secret (a runner
        # that only reads the log) snapshots are trusted only by the process that took them
        self.snapshot_signer = SnapshotSigner(snapshot_key or secrets.token_urlsafe(32))
        super().__init__(env=env)
        self.roles = roles or RoleRegistry([])  # a projection runner's app only reads the log
        self.standards = standards or {}
        self.registers = registers or Registers([])
        self.templates = templates or Templates([])
        # one generator per register at a time in this process (the store still decides
        # between processes; the lock only spares a burst of letters its retries)
        self._register_locks: dict[str, threading.Lock] = {}
        # likewise one start per case register at a time in this process: threads starting
        # cases of one register took the same next number, and all but one ran the start
        # again after a back-off (12 at once: 8 redone). Re-entrant, should a start's
        # follow-up ever start another. (Throughput under the HTTP benchmark: unchanged
        # within its noise, 37-41 instances/s on SQLite either way; what it saves is work.)
        self._start_locks: dict[str, threading.RLock] = {}
        self.sealer = sealer or Sealer(None)
        # the configured calendar is the seed; the OfficeCalendar stream's changes follow it
        self.calendar = CalendarBook(calendar or Calendar(), self._calendar_events)
        self.engine = Engine(calendar=self.calendar)  # timers count office time with it
        self._models: dict[tuple[str, int], ProcessModel] = {}
        self._models_lock = threading.Lock()
        # case id -> (process key, version, bpmn sha256): what resolves its activations' forms
        self._case_versions: OrderedDict[UUID, tuple[str, int, str]] = OrderedDict()

    def construct_snapshot_store(self) -> EventStore[UUID]:
        """The library's snapshot store, with a mapper that seals what it writes and checks
        what it reads (orchestrator/snapshots.py)."""
        recorder = self.factory.aggregate_recorder(purpose="snapshots")
        return self.factory.event_store(mapper=SealingMapper(self.mapper, self.snapshot_signer),
                                        recorder=recorder)

    def construct_repository(self) -> Repository[UUID]:
        maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        repository = StripedCacheRepository(
            event_store=self.events, snapshot_store=self.snapshots,
            cache_maxsize=int(maxsize) if maxsize else None,
            fastforward=True,  # several processes write: the store decides, the cache follows
            fastforward_skipping=False, deepcopy_from_cache=True,  # commands mutate copies
            signer=self.snapshot_signer,
        )
        repository.load_model = self._load_version
        return repository

    def with_models(self, read: Callable[[], T]) -> T:
        """``read()`` (a fold of events), loading any deployed version its appliers need."""
        repository = self.repository
        assert isinstance(repository, StripedCacheRepository)
        return repository.with_models(read)

    def _load_version(self, key: str, version: int, sha256: str) -> None:
        """Parse a deployed version a stored reference points to (engine/catalog.py)."""
        model, _ = self.model(key, version)
        if model.sha256 != sha256:
            raise ProcessNotFound(f"process '{key}' v{version} is not the BPMN {sha256[:12]} "
                                  "its case was started with", process=key)
        catalog.remember(model.sha256, model.tasks)  # parsed before, by another app

    def take_snapshot(self, aggregate_id: UUID, version: int | None = None,
                      projector_func: ProjectorFunction[Any, Any] = project_aggregate) -> None:
        """The library's snapshot, with the MAC the repository checks before trusting it."""
        assert self.snapshots is not None
        aggregate = self.repository.get(aggregate_id, version=version,
                                        projector_func=projector_func)
        self.snapshots.put([self.snapshot_signer.take(aggregate)])

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Record, then cache a copy of each saved aggregate as it now stands.

        With fast-forwarding the library caches only on reads, so a case cached early and
        then changed by many commands was fast-forwarded through every event since (snapshots
        are not consulted): a 1000-event case cost 35 ms on its next load. A copy, because
        the caller may go on using its object; the store still decides, since every cached
        read fast-forwards first."""
        recordings = super()._record(processing_event)
        if self.repository.cache is not None:
            for aggregate_id, aggregate in processing_event.aggregates.items():
                self.repository.cache.put(aggregate_id, deepcopy(aggregate))
        return recordings

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(OpenTaskAsDict())

    # -- processes ---------------------------------------------------------------------------

    def deploy(self, cmd: DeployProcess) -> int:
        """Deploy a BPMN as the next version of its process; identical content is a no-op."""
        ensure(may_deploy(cmd.actor), f"{cmd.actor.username} may not deploy processes")
        model = load_model(cmd.key, cmd.bpmn, self.roles)
        try:
            definition: ProcessDefinition = self.repository.get(definition_id(cmd.key))
            new_key = False
        except AggregateNotFoundError:
            definition = ProcessDefinition(key=cmd.key)
            new_key = True
        if definition.versions and definition.versions[-1]["sha256"] == model.sha256:
            return definition.latest
        previous = self.model(cmd.key, definition.latest)[0] if definition.versions else None
        ensure_deployable(definition, previous, model, cmd.actor)
        version = definition.latest + 1
        definition.deploy(version=version, bpmn=cmd.bpmn.decode("utf-8"), sha256=model.sha256,
                          name=model.name, actor=cmd.actor.username,
                          deployed_at=datetime.now(UTC).isoformat(), source=cmd.source)
        aggregates: list[Any] = [definition]
        if new_key:
            aggregates.append(self._directory_with(PROCESSES, cmd.key))
        with self._conflicts_as_stale():
            self.save(*aggregates)
        with self._models_lock:
            self._models[(cmd.key, version)] = model
        return version

    def process_keys(self) -> list[str]:
        return self._directory(PROCESSES)

    def definition(self, key: str) -> ProcessDefinition:
        try:
            return self.repository.get(definition_id(key))
        except AggregateNotFoundError:
            raise ProcessNotFound(f"no process '{key}' is deployed", process=key) from None

    def model(self, key: str, version: int | None = None) -> tuple[ProcessModel, int]:
        """The parsed model of a deployed version (the latest by default), cached.

        A given version is immutable, so a cached one is returned without loading the
        definition; only "the latest" has to ask the store."""
        if version is not None:
            with self._models_lock:
                cached = self._models.get((key, version))
            if cached is not None:
                return cached, version
        definition = self.definition(key)
        version = version or definition.latest
        with self._models_lock:
            model = self._models.get((key, version))
        if model is None:
            if version not in definition.bpmn:
                raise ProcessNotFound(f"process '{key}' has no version {version}")
            model = load_model(key, definition.bpmn[version].encode("utf-8"), self.roles)
            with self._models_lock:
                self._models[(key, version)] = model
        return model, version

    # -- cases -------------------------------------------------------------------------------

    def start_case(self, cmd: StartCase, follow_up: FollowUp | None = None,
                   uploaded: frozenset[str] = frozenset()) -> CommandResult:
        """Start a case; a sensitive process's reporter identity is sealed before any event.

        ``follow_up(case, complete)`` may complete the starter's own first tasks and return
        more aggregates (the portal's tracking ticket): all of it is saved in the start's one
        transaction, so a case never exists without them. It runs again if the start is
        retried. The data may cite only the files ``uploaded`` with this command."""
        model, version = self.model(cmd.process)
        ensure(may_start(cmd.actor, model),
               f"{cmd.actor.username} may not start process '{cmd.process}'")
        _check_start_form(model, cmd.data)
        data, reporter = split_reporter(cmd.data) if model.sensitive else (cmd.data, {})
        if model.sensitive:
            ensure_no_identity_in_start(data)
        ensure_cited_only(data, uploaded)
        register = self.registers.for_process(cmd.process)
        with self._start_locks.setdefault(register.key, threading.RLock()):
            return self._start(cmd, model, version, data, reporter, register, follow_up)

    def _start(self, cmd: StartCase, model: ProcessModel, version: int, data: dict[str, Any],
               reporter: dict[str, Any], register: Any,
               follow_up: FollowUp | None) -> CommandResult:
        for attempt in range(ATTEMPTS):  # a concurrent start may take the same number: retry
            now = datetime.now(WITA)
            counter = self._counter(register.key, now.year)
            case_id = uuid4()
            counter.issue(counter.last + 1, str(case_id))
            case = Case.start(model, version, data, cmd.actor, self.engine,
                              self.standards.get(cmd.process),
                              register.number(cmd.process, counter.year, counter.last, now.month),
                              case_id=case_id, sealed=self.sealer.seal(case_id, reporter))
            others = follow_up(case, self._completer(case, model, cmd.actor)) if follow_up else []
            try:
                return self._save(case, counter, *others)
            except StaleCaseVersion:
                if attempt == ATTEMPTS - 1:
                    raise
                back_off(attempt)
        raise AssertionError("unreachable")

    def claim_task(self, cmd: ClaimTask) -> CommandResult:
        ensure_may_write(cmd.actor)
        case = self.get_case(cmd.case_id, expected_version=cmd.expected_version)
        case.claim(cmd.task_id, cmd.actor)
        return self._save(case)

    def release_task(self, cmd: ReleaseTask) -> CommandResult:
        ensure_may_write(cmd.actor)
        case = self.get_case(cmd.case_id, expected_version=cmd.expected_version)
        case.release(cmd.task_id, cmd.actor)
        return self._save(case)

    def complete_task(self, cmd: CompleteTask,
                      uploaded: frozenset[str] = frozenset()) -> CommandResult:
        """Complete a task; its data may cite only files ``uploaded`` with this command or
        already cited by this case, and in a sensitive case it may name nobody."""
        ensure_may_write(cmd.actor)
        case = self.get_case(cmd.case_id, expected_version=cmd.expected_version)
        model, _ = self.model(case.process_key, case.process_version)
        if model.sensitive or case.sealed:
            task = case.open_tasks.get(str(cmd.task_id))
            ensure(task is None or may_see_task(cmd.actor, model, task.lane),
                   f"{cmd.actor.username} may not act in this sensitive case")
            ensure_no_identity_in_completion(cmd.data)
        ensure_cited_only(cmd.data, uploaded | references(case.data),
                          self._earlier_data(case.id))
        actor = desk_for_requester(cmd.actor, model)  # the desk acts for the requester too
        self._ensure_named_users(case.ready_task(cmd.task_id, actor).form, cmd.data)
        if cmd.signed_of:
            case.sign_document(cmd.signed_of, _signed_upload(case, cmd, uploaded),
                               cmd.task_id, actor)
        case.complete_task(cmd.task_id, cmd.data, actor, model, self.engine,
                           self._may_hold(model))
        return self._save(case)

    def generate_document(self, cmd: GenerateDocument) -> GeneratedDocument:
        """Generate a letter in a ready step from a template that step produces, numbered from
        the template's register: the first version takes the register's next number of the
        year (the counter is saved with the case, gap-free, retried on a concurrent write),
        later versions keep it. The caller stores the returned bytes under their sha256."""
        ensure_may_write(cmd.actor)
        template = self.templates.get(cmd.template)
        if template is None:
            raise InvalidInput("unknown template", errors={"template": [
                f"no template '{cmd.template}'"]})
        if cmd.format not in FORMATS:
            raise InvalidInput("unknown format", errors={"format": [f"one of {FORMATS}"]})
        register = self.registers.of_documents(template.register)
        assert register is not None  # Templates checks it at load
        lock = self._register_locks.setdefault(register.key, threading.Lock())
        with lock:
            for attempt in range(ATTEMPTS):
                try:
                    return self._generate(cmd, template, register)
                except StaleCaseVersion:
                    if attempt == ATTEMPTS - 1:
                        raise
                    back_off(attempt)
        raise AssertionError("unreachable")

    def _generate(self, cmd: GenerateDocument, template: Template,
                  register: Register) -> GeneratedDocument:
        case = self.get_case(cmd.case_id)
        model, _ = self.model(case.process_key, case.process_version)
        task = case.ready_task(cmd.task_id, cmd.actor)
        ensure(may_generate_document(cmd.actor, model, task.lane),
               f"{cmd.actor.username} may not act in this case")
        if not template.produced_at(case.process_key, task.element_id):
            raise InvalidInput("this step does not produce that letter", errors={"template": [
                f"'{template.key}' is not a template of this step"]})
        now = datetime.now(WITA)
        earlier = next((d for d in case.generated() if d["template"] == template.key), None)
        counter = None
        if earlier is not None:
            number, sequence, year = earlier["number"], earlier["sequence"], earlier["year"]
        else:
            counter = self._counter(register.key, now.year)
            counter.issue(counter.last + 1, str(case.id), template.key)
            sequence, year = counter.last, counter.year
            number = register.number(case.process_key, year, sequence, now.month)
        letter = fill(template, self._letter_context(case, model, task.name), number,
                      self.templates.letterhead, now)
        content = render(letter, cmd.format)
        sha256 = hashlib.sha256(content).hexdigest()
        case.generate_document(
            cmd.task_id, cmd.actor, template=template.key, title=template.name,
            register=register.key, number=number, sequence=sequence, year=year,
            sha256=sha256, name=file_name(letter, cmd.format), size=len(content),
            format=cmd.format)
        result = self._save(case, *([counter] if counter else []))
        return GeneratedDocument(result, case.generated()[-1], content)

    def _letter_context(self, case: Case, model: ProcessModel, step: str) -> dict[str, str]:
        """The case's data as a letter writes it: answers by their forms' labels, officials
        by name, dates in words; and what every letter may name."""
        labels: dict[str, dict[str, Any]] = {}
        people: set[str] = set()
        forms = [model.start_form or {}, *((t.get("form") or {}) for t in model.tasks.values())]
        for form in forms:
            for name, spec in (form.get("properties") or {}).items():
                if spec.get("x-enumLabels"):
                    labels.setdefault(name, spec["x-enumLabels"])
                if spec.get("x-alur-widget") == "user":
                    people.add(name)
        context: dict[str, str] = {}
        for key, value in case.data.items():
            user = self.find_user(str(value)) if key in people else None
            text = (user.full_name or user.username) if user else shown_value(
                value, labels.get(key))
            if text:
                context[key] = text
        return {**context, "registrasi": case.registration, "proses": model.name,
                "langkah": step}

    def assign_task(self, cmd: AssignTask) -> CommandResult:
        """Dispose a ready step to a named holder of its lane, with an instruction."""
        ensure_may_write(cmd.actor)
        case = self.get_case(cmd.case_id, expected_version=cmd.expected_version)
        model, _ = self.model(case.process_key, case.process_version)
        task = case.ready_task(cmd.task_id, cmd.actor)
        ensure(may_see_task(cmd.actor, model, task.lane),
               f"{cmd.actor.username} may not act in this case")
        if task.claimed_by not in (None, cmd.actor.username):
            raise TaskClaimedByOther(f"task is held by {task.claimed_by}",
                                     holder=task.claimed_by)
        ensure(may_assign(cmd.actor, task.lane, task.claimed_by),
               f"{cmd.actor.username} may not dispose this step")
        if not self._may_hold(model)(cmd.assignee, task.lane):
            raise InvalidInput("the assignee cannot hold this step", errors={"assignee": [
                f"'{cmd.assignee}' is no active user holding the lane '{task.lane}'"]})
        if cmd.due_at is not None and cmd.due_at <= datetime.now(UTC):
            raise InvalidInput("the due time has passed",
                               errors={"due_at": ["must lie in the future"]})
        due = cmd.due_at.astimezone(WITA).isoformat() if cmd.due_at else None
        case.assign(cmd.task_id, cmd.assignee, cmd.instruction, due, cmd.actor)
        return self._save(case)

    def add_comment(self, cmd: AddComment) -> CommandResult:
        """A note on an open case; it never moves the engine. Retried over concurrent
        commands (a comment needs no particular version of the case)."""
        ensure_may_write(cmd.actor)
        for attempt in range(ATTEMPTS):
            case = self.get_case(cmd.case_id)
            model, _ = self.model(case.process_key, case.process_version)
            ensure(may_comment(cmd.actor, model),
                   f"{cmd.actor.username} may not comment on this case")
            task_id = str(cmd.task_id) if cmd.task_id else None
            if task_id and not any(getattr(e, "task_id", None) == task_id
                                   for e in self.case_events(case.id)):
                raise InvalidInput("no such step in this case",
                                   errors={"task_id": [f"not a step of case {case.id}"]})
            case.comment(cmd.text, cmd.actor, task_id)
            try:
                return self._save(case)
            except StaleCaseVersion:
                if attempt == ATTEMPTS - 1:
                    raise
                back_off(attempt)
        raise AssertionError("unreachable")

    def extend_deadline(self, cmd: ExtendDeadline) -> CommandResult:
        ensure_may_write(cmd.actor)
        case = self.get_case(cmd.case_id, expected_version=cmd.expected_version)
        model, _ = self.model(case.process_key, case.process_version)
        ensure(may_extend_deadline(cmd.actor, model),
               f"{cmd.actor.username} holds no role of process '{case.process_key}'")
        case.extend_deadline(self.standards.get(case.process_key), cmd.actor, cmd.reason)
        return self._save(case)

    def cancel_case(self, cmd: CancelCase) -> CommandResult:
        ensure(may_cancel(cmd.actor), f"{cmd.actor.username} may not cancel cases")
        case = self.get_case(cmd.case_id, expected_version=cmd.expected_version)
        case.cancel(cmd.actor, cmd.reason)
        return self._save(case)

    # -- the scheduler's commands (alur/scheduler.py): each appends at most one fact, and a
    # second scheduler racing for the same one loses on the case's version (StaleCaseVersion)
    # or finds it already recorded (None: nothing appended) --------------------------------

    def fire_timer(self, cmd: FireTimer) -> CommandResult | None:
        """Fire an armed timer whose due moment has passed; None if it already fired, was
        cancelled, is not due yet, or its case is closed."""
        ensure(may_run_schedule(cmd.actor), f"{cmd.actor.username} may not fire timers")
        case = self.get_case(cmd.case_id)
        model, _ = self.model(case.process_key, case.process_version)
        if not case.fire_timer(cmd.timer_id, cmd.actor, model, self.engine, cmd.now,
                               self._may_hold(model)):
            return None
        return self._save(case)

    def remind_task(self, cmd: RemindTask) -> CommandResult | None:
        ensure(may_run_schedule(cmd.actor), f"{cmd.actor.username} may not remind")
        case = self.get_case(cmd.case_id)
        return self._save(case) if case.remind(cmd.task_id, cmd.due_at) else None

    def escalate_task(self, cmd: EscalateTask) -> CommandResult | None:
        """Escalate a step past its due time to its unit's supervisor (roles.yaml ``units``);
        in a sensitive case to the role that handles its reports (the only staff, with the
        step's own lanes, who may read it)."""
        ensure(may_run_schedule(cmd.actor), f"{cmd.actor.username} may not escalate")
        case = self.get_case(cmd.case_id)
        task = case.open_tasks.get(cmd.task_id)
        if task is None:
            return None
        model, _ = self.model(case.process_key, case.process_version)
        target = self.roles.supervisor(task.lane)
        if model.sensitive:
            role = model.handling_role or task.lane
            target = (role, self.roles.unit(role))
        if target is None:  # nobody above (Ketua KPU): to the lane itself, in its Eskalasi
            target = (task.lane, self.roles.unit(task.lane))
        return self._save(case) if case.escalate(cmd.task_id, cmd.due_at, *target) else None

    def escalate_deadline(self, cmd: EscalateDeadline) -> CommandResult | None:
        """A case past its service time goes to the Sekretaris (Keputusan 33/2025,
        Pengawasan Internal); a sensitive case to the role that handles its reports."""
        ensure(may_run_schedule(cmd.actor), f"{cmd.actor.username} may not escalate")
        case = self.get_case(cmd.case_id)
        model, _ = self.model(case.process_key, case.process_version)
        role = (model.handling_role or "sekretaris") if model.sensitive else "sekretaris"
        return self._save(case) if case.escalate_deadline(cmd.due_at, role) else None

    def start_scheduled(self, schedule: Schedule, occurrence: Occurrence,
                        actor: Actor) -> CommandResult | None:
        """Start one occurrence of a schedule, once: its ``ScheduledStart`` (a deterministic
        id) is saved with the case, so a second start of it conflicts and starts nothing
        (None). The scheduler starts in the schedule's starter role."""
        ensure(may_run_schedule(actor), f"{actor.username} may not start scheduled work")
        if self._exists(occurrence.id):
            return None
        starter = self.roles.actor(actor.username, {schedule.role})

        def record(case: Case, complete: Complete) -> list[Any]:
            if self._exists(occurrence.id):  # a retry after losing the race to another
                raise _AlreadyStarted
            return [ScheduledStart(schedule=schedule.key, period=occurrence.period,
                                   process=schedule.process, case_id=str(case.id),
                                   due_at=occurrence.due_at.isoformat())]
        try:
            return self.start_case(StartCase(schedule.process, schedule.start_data(occurrence),
                                             starter), follow_up=record)
        except _AlreadyStarted:
            return None

    def _exists(self, aggregate_id: UUID) -> bool:
        try:
            self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def get_case(self, case_id: UUID, version: int | None = None,
                 expected_version: int | None = None) -> Case:
        """The case now, or as it stood right after event ``version``."""
        try:
            case: object = self.repository.get(case_id, version=version)
        except AggregateNotFoundError:
            raise CaseNotFound(f"no case {case_id}", case=str(case_id)) from None
        if not isinstance(case, Case):
            raise CaseNotFound(f"no case {case_id}", case=str(case_id))
        if case.history_version < 1:
            self._fill_history(case)
        if expected_version is not None and case.version != expected_version:
            raise StaleCaseVersion(
                f"case is at version {case.version}, not {expected_version}",
                current=case.version,
            )
        return case

    def _earlier_data(self, case_id: UUID) -> Iterator[dict[str, Any]]:
        """The data of the case's stored events, read only when iterated: a completion that
        cites only its own uploads never reads its case's history (a generator expression
        would call ``case_events`` at once, on every completion: O(history))."""
        for event in self.case_events(case_id):
            if hasattr(event, "data"):
                yield event.data

    def case_events(self, case_id: UUID, resolved: bool = False) -> list[Case.Event]:
        """The case's events as stored; ``resolved``: each activation that stores its form
        and properties by reference carries them, as the case's deployed version gives them
        (copies for reading: their fields no longer hash to the chain)."""
        events = [e for e in self.events.get(case_id) if isinstance(e, Case.Event)]
        if not events:
            raise CaseNotFound(f"no case {case_id}", case=str(case_id))
        return [self.resolved(e) for e in events] if resolved else events

    def resolved(self, event: Any) -> Any:
        """The event, or for an activation stored by reference a copy with its form and
        properties (what a reader of the log, such as a projection, shows or keeps)."""
        if isinstance(event, Case.Started):
            self._remember_version(event.originator_id, event.process_key,
                                   event.process_version, event.bpmn_sha256)
            return event
        if not isinstance(event, Case.TaskActivated) or event.form:
            return event
        key, version, sha256 = self._case_version(event.originator_id)
        form, properties = self.with_models(
            lambda: resolve_activation(event, sha256, key, version))
        changes: dict[str, Any] = {"form": form, "properties": properties}
        return replace(event, **changes)

    def _case_version(self, case_id: UUID) -> tuple[str, int, str]:
        with self._models_lock:
            known = self._case_versions.get(case_id)
        if known is None:
            try:
                started = next(iter(self.events.get(case_id, lte=1)), None)
            except Exception:  # a start that no longer decodes: the case is unreadable
                started = None
            if not isinstance(started, Case.Started):
                raise CaseNotFound(f"no start of case {case_id}", case=str(case_id))
            known = (started.process_key, started.process_version, started.bpmn_sha256)
            self._remember_version(case_id, *known)
        return known

    def _remember_version(self, case_id: UUID, key: str, version: int, sha256: str) -> None:
        with self._models_lock:
            self._case_versions[case_id] = (key, version, sha256)
            self._case_versions.move_to_end(case_id)
            while len(self._case_versions) > CASE_VERSIONS:
                self._case_versions.popitem(last=False)

    # -- users -------------------------------------------------------------------------------

    def register_user(self, user: User) -> None:
        with self._conflicts_as_stale():
            self.save(user, self._directory_with(USERS, user.username))

    def save_user(self, user: User) -> None:
        with self._conflicts_as_stale():
            self.save(user)

    def find_user(self, username: str) -> User | None:
        try:
            user: object = self.repository.get(user_id(username))
        except AggregateNotFoundError:
            return None
        return user if isinstance(user, User) else None

    def usernames(self) -> list[str]:
        return self._directory(USERS)

    def holders(self, case: Case, lane: str) -> list[User]:
        """The active users a step of this case's lane may be disposed to, by name."""
        model, _ = self.model(case.process_key, case.process_version)
        may = self._may_hold(model)
        users = [self.find_user(name) for name in self.usernames()]
        return sorted((u for u in users if u and may(u.username, lane)),
                      key=lambda u: u.username)

    # -- acting officials (Plh/Plt) -----------------------------------------------------------

    def appoint_acting(self, cmd: AppointActing) -> ActingFor:
        """Name a deputy for a role and a date range (checked here, for every edge)."""
        ensure(may_appoint_acting(cmd.actor, cmd.role),
               f"{cmd.actor.username} may not name an acting official for {cmd.role}")
        official = cmd.official or cmd.actor.username
        problems = acting_problems(cmd, official, self.roles, self.find_user,
                                   datetime.now(WITA).date())
        if problems:
            raise InvalidInput("the appointment is not valid", errors=problems)
        appointments = self._appointments(cmd.deputy)
        if any(a.role == cmd.role and not a.ended and a.starts_on <= cmd.ends_on.isoformat()
               and cmd.starts_on.isoformat() <= a.ends_on for a in appointments.all()):
            raise Conflict(f"{cmd.deputy} is already acting for {cmd.role} in that period")
        appointment_id = str(uuid4())
        appointments.appoint(appointment_id=appointment_id, role=cmd.role, official=official,
                             kind=cmd.kind, starts_on=cmd.starts_on.isoformat(),
                             ends_on=cmd.ends_on.isoformat(), reason=cmd.reason.strip(),
                             by=cmd.actor.username)
        with self._conflicts_as_stale():
            self.save(appointments, self._directory_with(ACTING, cmd.deputy))
        return appointments.all()[-1]

    def end_acting(self, cmd: EndActing) -> None:
        ensure_may_write(cmd.actor)  # an inspector learns nothing, not even what exists
        appointments = self._appointments(cmd.deputy)
        found = next((a for a in appointments.all()
                      if a.appointment_id == cmd.appointment_id), None)
        if found is None:
            raise NotFound(f"no appointment {cmd.appointment_id} for {cmd.deputy}")
        ensure(may_appoint_acting(cmd.actor, found.role) and (
            may_manage_users(cmd.actor) or cmd.actor.username == found.official),
            f"{cmd.actor.username} may not end this appointment")
        if found.ended:
            raise Conflict("this appointment has already ended")
        appointments.end(appointment_id=cmd.appointment_id, by=cmd.actor.username,
                         reason=cmd.reason.strip())
        with self._conflicts_as_stale():
            self.save(appointments)

    def acting_of(self, username: str, day: date | None = None) -> list[ActingFor]:
        """The appointments under which ``username`` acts on ``day`` (today, WITA)."""
        try:
            appointments: ActingAppointments = self.repository.get(acting_id(username))
        except AggregateNotFoundError:
            return []
        return appointments.holding_on(day or datetime.now(WITA).date())

    def appointments(self) -> list[tuple[str, ActingFor]]:
        """Every appointment ever made, by deputy (for the administrators' page)."""
        return [(deputy, a) for deputy in self._directory(ACTING)
                for a in self._appointments(deputy).all()]

    def actor_of(self, username: str, roles: list[str], day: date | None = None) -> Actor:
        """The actor a user acts as: their roles, and those they hold as Plh/Plt on ``day``
        (today, WITA)."""
        return self.roles.actor(username, roles, self.acting_of(username, day))

    def _appointments(self, deputy: str) -> ActingAppointments:
        try:
            return self.repository.get(acting_id(deputy))
        except AggregateNotFoundError:
            return ActingAppointments(deputy=deputy)

    # -- the office calendar (cuti bersama, office hours) ------------------------------------

    def declare_cuti_bersama(self, cmd: DeclareCutiBersama) -> None:
        ensure(may_manage_calendar(cmd.actor),
               f"{cmd.actor.username} may not change the office calendar")
        current = self.calendar.current_state()
        problems = declare_problems(cmd.day, current, self._today())
        if cmd.day.isoformat() in current.cuti_bersama:
            raise Conflict(problems["day"][0])
        self._ensure_valid("the cuti bersama cannot be declared", problems, cmd.reason)
        office = self._office_calendar(cmd.actor)
        office.declare(day=cmd.day.isoformat(), reason=cmd.reason.strip(),
                       decree=cmd.decree.strip(), by=cmd.actor.username)
        self._save_calendar(office)

    def withdraw_cuti_bersama(self, cmd: WithdrawCutiBersama) -> None:
        ensure(may_manage_calendar(cmd.actor),
               f"{cmd.actor.username} may not change the office calendar")
        current = self.calendar.current_state()
        problems = withdraw_problems(cmd.day, current, self._today())
        if cmd.day.isoformat() not in current.cuti_bersama:
            raise NotFound(problems["day"][0])
        self._ensure_valid("the cuti bersama cannot be withdrawn", problems, cmd.reason)
        office = self._office_calendar(cmd.actor)
        office.withdraw(day=cmd.day.isoformat(), reason=cmd.reason.strip(),
                        decree=cmd.decree.strip(), by=cmd.actor.username)
        self._save_calendar(office)

    def change_office_hours(self, cmd: ChangeOfficeHours) -> None:
        ensure(may_manage_calendar(cmd.actor),
               f"{cmd.actor.username} may not change the office calendar")
        problems: dict[str, list[str]] = {}
        for name in ("office_hours", "friday_hours"):
            problem = hours_problem(getattr(cmd, name))
            if problem:
                problems[name] = [problem]
        if cmd.effective_from < self._today():
            problems["effective_from"] = [
                "must not be in the past: the hours of a day gone by stay as they were"]
        elif cmd.effective_from > self._today() + AHEAD:
            problems["effective_from"] = [f"too far ahead (at most {AHEAD.days} days)"]
        self._ensure_valid("the office hours cannot be changed", problems, cmd.reason)
        hours = (cmd.office_hours.strip(), cmd.friday_hours.strip())
        current = self.calendar.current_state()
        if hours == current.hours_on(cmd.effective_from) and not any(
                start > cmd.effective_from.isoformat() for start, *_ in current.hours_from):
            raise Conflict(f"the office hours from {cmd.effective_from} are already "
                           f"{hours[0]} (Friday {hours[1]})")
        office = self._office_calendar(cmd.actor)
        office.change_hours(effective_from=cmd.effective_from.isoformat(),
                            office_hours=hours[0], friday_hours=hours[1],
                            reason=cmd.reason.strip(), decree=cmd.decree.strip(),
                            by=cmd.actor.username)
        self._save_calendar(office)

    def calendar_history(self) -> list[dict[str, Any]]:
        """Every change of the office calendar, oldest first (empty: still the configuration)."""
        self.calendar.refresh()
        return history_rows(self.calendar.changes)

    def _calendar_events(self, after: int | None) -> list[Any]:
        return list(self.events.get(CALENDAR_ID, gt=after))

    def _today(self) -> date:
        return datetime.now(self.calendar.seed.tz).date()

    @staticmethod
    def _ensure_valid(message: str, problems: dict[str, list[str]], reason: str) -> None:
        if not reason.strip():
            problems = {**problems, "reason": ["say why, citing the decree (SKB 3 Menteri …)"]}
        if problems:
            raise InvalidInput(message, errors=problems)

    def _office_calendar(self, actor: Actor) -> OfficeCalendar:
        """The stream, opened with the configured seed on the first change."""
        try:
            return self.repository.get(CALENDAR_ID)
        except AggregateNotFoundError:
            seed = self.calendar.seed
            return OfficeCalendar(office_hours=seed.office_hours,
                                  friday_hours=seed.friday_hours,
                                  cuti_bersama=sorted(seed.cuti_bersama), by=actor.username)

    def _save_calendar(self, office: OfficeCalendar) -> None:
        with self._conflicts_as_stale():
            self.save(office)
        self.calendar.refresh()  # due times computed from now on follow the change

    # -- internals ---------------------------------------------------------------------------

    def _fill_history(self, case: Case) -> None:
        """A case loaded from a snapshot taken before steps and comments were kept: fold its
        events from the start once (the same appliers) and take them from there."""
        folded = self.with_models(
            lambda: project_aggregate(None, self.events.get(case.id, lte=case.version)))
        assert isinstance(folded, Case)
        case.steps, case.comments = folded.steps, folded.comments
        case.history_version = folded.history_version

    def _may_hold(self, model: ProcessModel) -> Callable[[str, str], bool]:
        """Whether a user, by name, may hold a step of this lane (the directory decides)."""
        def check(username: str, lane: str) -> bool:
            user = self.find_user(username)
            if user is None or not user.active:
                return False
            return may_hold(self.actor_of(user.username, user.roles), lane, model)
        return check

    def _ensure_named_users(self, form: dict[str, Any], data: dict[str, Any]) -> None:
        """Every user a form's user field names exists, is active and holds an allowed role."""
        problems: dict[str, list[str]] = {}
        for name, spec in user_fields(form).items():
            if not data.get(name):
                continue
            user = self.find_user(str(data[name]))
            held = self.roles.expand(user.roles) if user else frozenset()
            problem = user_problem(str(data[name]), field_lanes(spec),
                                   user.active if user else None, held)
            if problem is None and user and not may_write(Actor(user.username, held)):
                problem = f"user '{user.username}' only reads (inspector)"
            if problem:
                problems[name] = [problem]
        if problems:
            raise InvalidTaskData("data names users who cannot be named", errors=problems)

    def _completer(self, case: Case, model: ProcessModel, actor: Actor) -> Complete:
        def complete(task_id: UUID, data: dict[str, Any]) -> None:
            case.complete_task(task_id, data, actor, model, self.engine)
        return complete

    def _save(self, case: Case, *others: Any) -> CommandResult:
        if not case.pending_events:
            return CommandResult(case.id, case.version, self.recorder.max_notification_id() or 0)
        with self._conflicts_as_stale():
            recordings = self.save(case, *others)
        return CommandResult(case.id, case.version, recordings[-1].notification.id)

    @contextmanager
    def _conflicts_as_stale(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise StaleCaseVersion(
                "someone else changed this case at the same time; reload"
            ) from None

    def _counter(self, key: str, year: int) -> RegistrationCounter:
        try:
            return self.repository.get(counter_id(key, year))
        except AggregateNotFoundError:
            return RegistrationCounter(key=key, year=year)

    def _directory(self, kind: str) -> list[str]:
        try:
            return list(self.repository.get(directory_id(kind)).names)
        except AggregateNotFoundError:
            return []

    def _directory_with(self, kind: str, name: str) -> Directory:
        try:
            directory: Directory = self.repository.get(directory_id(kind))
        except AggregateNotFoundError:
            directory = Directory(kind=kind)
        if name not in directory.names:
            directory.enter(name)
        return directory


def _signed_upload(case: Case, cmd: CompleteTask, uploaded: frozenset[str]) -> dict[str, Any]:
    """The one file uploaded with the completion, as the signed version of ``signed_of`` (a
    letter this case generated); 422 otherwise."""
    if not any(d["sha256"] == cmd.signed_of for d in case.generated()):
        raise InvalidInput("not a letter of this case", errors={"ttd_untuk": [
            "bukan dokumen yang dibuat dalam kasus ini"]})
    files = [ref for ref in cmd.data.get("lampiran") or []
             if isinstance(ref, dict) and ref.get("sha256") in uploaded]
    if len(files) != 1:
        raise InvalidInput("upload the signed version alone", errors={"ttd_untuk": [
            "unggah tepat satu berkas: versi bertanda tangan"]})
    return dict(files[0])


class _AlreadyStarted(Exception):
    """Another scheduler started this occurrence first."""


def _check_start_form(model: ProcessModel, data: dict[str, Any]) -> None:
    """The start data satisfies the process's start form (every edge: API, pages, CLI, portal),
    before a sensitive reporter's identity is sealed; 422 per field, nothing appended."""
    if model.start_form is None:
        return
    if model.sensitive:  # the reporter's keys the form does not name are sealed as they come
        named = set(model.start_form.get("properties") or {})
        data = {k: v for k, v in data.items()
                if not (k == "pelapor" or (k.startswith("pelapor_") and k not in named))}
    try:
        validate_form(model.start_form, data)
    except InvalidTaskData as exc:
        errors = {name: list(dict.fromkeys(messages))  # one message per field, once
                  for name, messages in exc.details.get("errors", {}).items()}
        raise InvalidTaskData(f"the start data does not match the start form of '{model.key}'",
                              errors=errors) from None
