"""The Case aggregate: one running instance of a process, as a stream of immutable facts.

Command methods decide (check lane, readiness, form; ask the engine); appliers only apply.
Each event records what a person did and what the engine did in response, and carries the hash
of its predecessor (``prev_hash``), so the stream is a tamper-evident chain.
Event classes are stored by topic (``orchestrator.case:Case.Started`` …): never rename or move
them; change a shape with ``class_version`` and an upcaster.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from orchestrator.commands import Actor
from orchestrator.engine import Engine, Outcome, ProcessModel, catalog
from orchestrator.engine.runtime import Checkpoint, compacted
from orchestrator.errors import (
    CaseClosed,
    Conflict,
    NotAllowed,
    NotInLane,
    TaskClaimedByOther,
    TaskNotReady,
)
from orchestrator.forms import validate_form
from orchestrator.hashchain import ChainedAggregate
from orchestrator.standards import ServiceStandard

ACTIVE, COMPLETED, CANCELLED = "active", "completed", "cancelled"
WHOLE_EVERY = 32  # deltas after a whole checkpoint before the next is whole again
# whether a user (by name) may hold a task of a lane: the directory's answer, given by the
# application service (the aggregate knows no users)
MayHold = Callable[[str, str], bool]


@dataclass
class OpenTask:
    """A task the case waits for (state kept on the aggregate, derived from events)."""

    task_id: str
    element_id: str
    name: str
    lane: str
    form: dict[str, Any]
    properties: dict[str, str]
    activated_at: str
    claimed_by: str | None = None  # who holds it: claimed, or disposed to (TaskAssigned)
    assigned_by: str | None = None  # the last disposition: who, what to do, by when
    instruction: str = ""
    assignment_due_at: str | None = None
    # every disposition of this step in order (a redisposition keeps the chain)
    dispositions: list[dict[str, Any]] = field(default_factory=list)
    reminded_at: str | None = None  # TaskReminded: its holder was reminded of the due time
    escalated_to: str | None = None  # TaskEscalated: the supervisor role it went to


class Case(ChainedAggregate):
    """One case of a deployed process version."""

    sealed: str = ""  # snapshots taken before sealing existed lack the attribute
    # 1: ``steps`` and ``comments`` are kept; a snapshot from before (0) lacks them, and the
    # application service re-projects the case's events once to fill them in
    history_version: int = 0

    class Event(ChainedAggregate.Event):
        """Base of case events: every one links to the previous by hash (``prev_hash``)."""

        type_name: ClassVar[str] = "Event"

        def apply(self, aggregate: Any) -> None:
            self.apply_to(aggregate)

        def apply_to(self, case: Case) -> None:
            """Set state from this event (deterministic, total)."""

    class Started(Event, ChainedAggregate.Created):
        type_name = "CaseStarted"
        process_key: str
        process_version: int
        bpmn_sha256: str
        registration: str
        data: dict[str, Any]
        actor: str
        engine_state: str
        passed: list[str]
        acting_for: dict[str, str] | None = None  # an acting official's appointment (a.n.)
        # The reporter's identity, AES-GCM sealed (sensitive processes only). Optional with a
        # default rather than a class_version upcast: events stored before it existed decode
        # without the key, so their recomputed hashes still match the chain.
        sealed: str = ""

    class TaskActivated(Event):
        type_name = "TaskActivated"
        task_id: str
        element_id: str
        name: str
        lane: str
        # both empty: what the case's deployed version gives the element (by reference,
        # engine/catalog.py); events stored before references carry them in full
        form: dict[str, Any]
        properties: dict[str, str]

        def apply_to(self, case: Case) -> None:
            form, properties = self.resolved(case)
            case.open_tasks[self.task_id] = OpenTask(
                self.task_id, self.element_id, self.name, self.lane, form, properties,
                self.timestamp.isoformat(),
            )

        def resolved(self, case: Case) -> tuple[dict[str, Any], dict[str, str]]:
            """The step's form and properties: as stored, or the deployed version's."""
            return resolve_activation(self, case.bpmn_sha256, case.process_key,
                                      case.process_version)

    class TaskClaimed(Event):
        type_name = "TaskClaimed"
        task_id: str
        actor: str
        acting_for: dict[str, str] | None = None  # an acting official's appointment (a.n.)

        def apply_to(self, case: Case) -> None:
            case.open_tasks[self.task_id].claimed_by = self.actor

    class TaskReleased(Event):
        type_name = "TaskReleased"
        task_id: str
        actor: str
        acting_for: dict[str, str] | None = None  # an acting official's appointment (a.n.)

        def apply_to(self, case: Case) -> None:
            case.open_tasks[self.task_id].claimed_by = None

    class TaskCompleted(Event):
        type_name = "TaskCompleted"
        task_id: str
        element_id: str
        data: dict[str, Any]
        actor: str
        engine_state: str  # whole, or "" when the checkpoint is ``engine_delta``
        passed: list[str]
        acting_for: dict[str, str] | None = None  # an acting official's appointment (a.n.)
        # what changed in the engine's state since the case's previous checkpoint (events
        # stored before deltas carry a whole ``engine_state``)
        engine_delta: str = ""

        def apply_to(self, case: Case) -> None:
            task = case.open_tasks.pop(self.task_id, None)
            case.data.update(self.data)  # merged: what gateway conditions and rules read
            case.checkpointed(self.engine_state, self.engine_delta)
            case.path.extend(self.passed)
            vars(case).setdefault("steps", []).append({  # and each step's own record
                "task_id": self.task_id, "element_id": self.element_id,
                "name": task.name if task else self.element_id,
                "lane": task.lane if task else "",
                "row": task.properties.get("row", "") if task else "",
                "activated_at": task.activated_at if task else None,
                "completed_at": self.timestamp.isoformat(), "actor": self.actor,
                "data": self.data, "dispositions": list(task.dispositions) if task else [],
                "acting_for": self.acting_for,
            })

    class TaskAssigned(Event):
        """A step disposed to a named holder of its lane, with an instruction and an
        optional due time (SRIKANDI's disposisi); the assignee now holds it."""

        type_name = "TaskAssigned"
        task_id: str
        assignee: str  # the user who now holds the step
        instruction: str
        due_at: str | None  # ISO 8601, or None: the decree's own time only
        by: str  # who disposed it (for a disposition from a form: who filled that form)
        previous_assignee: str | None  # who held it before (a redisposition), or None
        from_field: str = ""  # set when a form's user field disposed it (``assign_from``)
        acting_for: dict[str, str] | None = None  # an acting official's appointment (a.n.)

        def apply_to(self, case: Case) -> None:
            self.apply_to_task(case.open_tasks[self.task_id])

        def apply_to_task(self, task: OpenTask) -> None:
            """The step now held by the assignee, its chain one link longer."""
            task.claimed_by, task.assigned_by = self.assignee, self.by
            task.instruction, task.assignment_due_at = self.instruction, self.due_at
            task.dispositions.append({
                "assignee": self.assignee, "by": self.by, "instruction": self.instruction,
                "due_at": self.due_at, "previous_assignee": self.previous_assignee,
                "from_field": self.from_field, "at": self.timestamp.isoformat(),
                "acting_for": self.acting_for})

    class CommentAdded(Event):
        """A note on the case (why a draft went back …); it never touches the engine."""

        type_name = "CommentAdded"
        text: str
        actor: str
        task_id: str | None  # the step it is about, or None for the case as a whole
        acting_for: dict[str, str] | None = None  # an acting official's appointment (a.n.)

        def apply_to(self, case: Case) -> None:
            vars(case).setdefault("comments", []).append({
                "seq": self.originator_version, "at": self.timestamp.isoformat(),
                "actor": self.actor, "text": self.text, "task_id": self.task_id,
                "acting_for": self.acting_for})

    class DocumentGenerated(Event):
        """A letter generated from a template in one of the case's steps, numbered from its
        register of documents; the file is stored content-addressed under ``sha256``. A new
        version of the same template keeps the case's number (``sequence`` in ``year``)."""

        type_name = "DocumentGenerated"
        template: str
        title: str  # the template's name when generated (Surat Keluar, Nota Dinas …)
        register: str
        number: str  # as the office writes it: 12/PY.02.1-SD/6474/III/2026
        sequence: int
        year: int
        sha256: str
        name: str  # the file's name
        size: int
        format: str  # docx | pdf
        task_id: str
        element_id: str
        actor: str
        acting_for: dict[str, str] | None = None  # an acting official's appointment (a.n.)

        def apply_to(self, case: Case) -> None:
            documents = vars(case).setdefault("documents", [])
            documents.append({
                "template": self.template, "title": self.title, "register": self.register,
                "number": self.number, "sequence": self.sequence, "year": self.year,
                "sha256": self.sha256, "name": self.name, "size": self.size,
                "format": self.format, "task_id": self.task_id, "element_id": self.element_id,
                "actor": self.actor, "at": self.timestamp.isoformat(),
                "acting_for": self.acting_for,
                "version": 1 + sum(d["template"] == self.template for d in documents),
                "signed": []})

    class DocumentSigned(Event):
        """A signed version of a generated letter, uploaded back as a step's output (the file
        is also in that step's ``lampiran``)."""

        type_name = "DocumentSigned"
        document: str  # the sha256 of the generated version that was signed
        sha256: str
        name: str
        size: int
        task_id: str
        actor: str
        acting_for: dict[str, str] | None = None  # an acting official's appointment (a.n.)

        def apply_to(self, case: Case) -> None:
            for doc in vars(case).setdefault("documents", []):
                if doc["sha256"] == self.document:
                    doc["signed"].append({
                        "sha256": self.sha256, "name": self.name, "size": self.size,
                        "task_id": self.task_id, "actor": self.actor,
                        "at": self.timestamp.isoformat(), "acting_for": self.acting_for})

    class GatewayTaken(Event):
        type_name = "GatewayTaken"
        gateway_id: str
        flow_id: str
        flow_name: str
        target_id: str

    class DeadlineSet(Event):
        """The case falls under a public service standard: its service time starts now."""

        type_name = "DeadlineSet"
        service: str
        service_name: str
        rule: int
        rule_text: str
        working_days: int
        working_minutes: int

        def apply_to(self, case: Case) -> None:
            case.deadline = {
                "service": self.service, "service_name": self.service_name, "rule": self.rule,
                "rule_text": self.rule_text, "working_days": self.working_days,
                "working_minutes": self.working_minutes, "set_at": self.timestamp.isoformat(),
                "extensions": [],
            }

    class DeadlineExtended(Event):
        """The standard's extension, taken once, in writing, with a reason."""

        type_name = "DeadlineExtended"
        working_days: int
        working_minutes: int
        reason: str
        actor: str

        def apply_to(self, case: Case) -> None:
            assert case.deadline is not None  # extended only after DeadlineSet
            case.deadline["extensions"].append({
                "working_days": self.working_days, "working_minutes": self.working_minutes,
                "reason": self.reason, "actor": self.actor, "at": self.timestamp.isoformat(),
            })

    class TimerArmed(Event):
        """The engine waits on a timer event; it is due at ``due_at`` (fixed now: computed
        once, in working time where the BPMN says so). The scheduler fires it then."""

        type_name = "TimerArmed"
        timer_id: str
        element_id: str
        name: str
        kind: str  # "duration" or "date"
        value: str  # the ISO 8601 text the timer was armed with
        working: bool
        due_at: str  # ISO 8601, WITA
        attached_to: str | None  # the task id a boundary timer watches, or None
        interrupting: bool

        def apply_to(self, case: Case) -> None:
            case.armed()[self.timer_id] = {
                "timer_id": self.timer_id, "element_id": self.element_id, "name": self.name,
                "kind": self.kind, "value": self.value, "working": self.working,
                "due_at": self.due_at, "attached_to": self.attached_to,
                "interrupting": self.interrupting, "armed_at": self.timestamp.isoformat()}

    class TimerFired(Event):
        """The timer's due moment passed and the scheduler fired it; the engine moved on
        (an interrupting boundary timer cancelled the tasks in ``interrupted``)."""

        type_name = "TimerFired"
        timer_id: str
        element_id: str
        due_at: str
        actor: str
        engine_state: str  # whole, or "" when the checkpoint is ``engine_delta``
        passed: list[str]
        interrupted: list[str]
        engine_delta: str = ""  # as TaskCompleted's

        def apply_to(self, case: Case) -> None:
            case.armed().pop(self.timer_id, None)
            case.checkpointed(self.engine_state, self.engine_delta)
            case.path.extend(self.passed)
            for task_id in self.interrupted:
                case.open_tasks.pop(task_id, None)

    class TimerCancelled(Event):
        """A boundary timer that will never fire: the task it watched was completed."""

        type_name = "TimerCancelled"
        timer_id: str
        element_id: str

        def apply_to(self, case: Case) -> None:
            case.armed().pop(self.timer_id, None)

    class TaskReminded(Event):
        """The step's due time is near (three quarters of its time have passed): who holds
        it, or its lane, is reminded (what a notification needs: who, task, case, due)."""

        type_name = "TaskReminded"
        task_id: str
        name: str
        lane: str
        holder: str | None
        due_at: str

        def apply_to(self, case: Case) -> None:
            task = case.open_tasks.get(self.task_id)
            if task is not None:
                task.reminded_at = self.timestamp.isoformat()

    class TaskEscalated(Event):
        """The step passed its due time: it is escalated to the supervisor of its lane's
        unit (processes/roles.yaml ``units``), and shows in that role's "Eskalasi" inbox."""

        type_name = "TaskEscalated"
        task_id: str
        name: str
        lane: str
        holder: str | None
        due_at: str
        to_role: str
        unit: str

        def apply_to(self, case: Case) -> None:
            task = case.open_tasks.get(self.task_id)
            if task is not None:
                task.escalated_to = self.to_role

    class DeadlineEscalated(Event):
        """The case passed its service time (Keputusan 33/2025): escalated to the role that
        oversees the service (Pengawasan Internal: the Sekretaris)."""

        type_name = "DeadlineEscalated"
        due_at: str
        to_role: str

        def apply_to(self, case: Case) -> None:
            if case.deadline is not None:
                case.deadline["escalated_to"] = self.to_role

    class CaseLinked(Event):
        """Another case continues this one (SOP 9.22-d: the requester's objection to this
        request): one fact on each, so either leads to the other. It may follow the end."""

        type_name = "CaseLinked"
        relation: str  # what the other case is to this one: "keberatan", or "atas" back
        other_case_id: str
        other_registration: str
        other_process: str
        actor: str

        def apply_to(self, case: Case) -> None:
            vars(case).setdefault("links", []).append({
                "relation": self.relation, "case_id": self.other_case_id,
                "registration": self.other_registration, "process": self.other_process,
                "at": self.timestamp.isoformat()})

    class Completed(Event):
        type_name = "CaseCompleted"

        def apply_to(self, case: Case) -> None:
            case.status = COMPLETED

    class Cancelled(Event):
        type_name = "CaseCancelled"
        actor: str
        reason: str

        def apply_to(self, case: Case) -> None:
            case.status = CANCELLED
            case.open_tasks.clear()
            case.armed().clear()

    def __init__(
        self, process_key: str, process_version: int, bpmn_sha256: str, registration: str,
        data: dict[str, Any], actor: str, engine_state: str, passed: list[str], sealed: str = "",
        acting_for: dict[str, str] | None = None,
    ) -> None:
        self.process_key = process_key
        self.registration = registration
        self.process_version = process_version
        self.bpmn_sha256 = bpmn_sha256
        self.data = dict(data)
        self.started_by = actor
        self.started_acting_for = acting_for
        self.engine_state = engine_state
        self.engine_deltas: list[str] = []  # the checkpoints after it, each a delta
        self.path = list(passed)
        self.status = ACTIVE
        self.open_tasks: dict[str, OpenTask] = {}
        self.deadline: dict[str, Any] | None = None
        self.sealed = sealed
        self.steps: list[dict[str, Any]] = []  # each completed step: who, when, row, data
        self.comments: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []  # generated letters, their signed versions
        self.timers: dict[str, dict[str, Any]] = {}  # armed timers by timer id
        self.history_version = 1

    # What only ever grows by appending entries that are never changed afterwards: a copy of
    # the case may share those entries (and the data's values, merged key by key).
    APPEND_ONLY: ClassVar[frozenset[str]] = frozenset({"steps", "comments", "path",
                                                        "engine_deltas"})

    def __deepcopy__(self, memo: dict[int, Any]) -> Case:
        """A copy as independent as a full deep copy for everything an event can change, at
        a cost that does not grow with the case's history: the aggregate cache copies a case
        into every command and out of every save, and a 1000-step case spent most of a warm
        command copying its own step records (benchmarks: history_length)."""
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for name, value in vars(self).items():
            if name in self.APPEND_ONLY:
                copied: Any = list(value)
            elif name == "data":
                copied = dict(value)
            elif name == "open_tasks":
                copied = {key: replace(task, dispositions=list(task.dispositions))
                          for key, task in value.items()}
            else:
                copied = deepcopy(value, memo)
            vars(clone)[name] = copied
        return clone

    def checkpointed(self, whole: str, delta: str) -> None:
        """The engine's state moved on: a whole checkpoint, or a delta after the last."""
        if delta:
            vars(self).setdefault("engine_deltas", []).append(delta)
        else:
            self.engine_state, self.engine_deltas = whole, []

    @property
    def checkpoint(self) -> Checkpoint:
        """The engine's state: the last whole checkpoint and the deltas recorded since (a
        snapshot from before deltas has none)."""
        return (self.engine_state, *vars(self).get("engine_deltas", ()))

    def compact_checkpoint(self) -> None:
        """Fold the deltas into one whole checkpoint (a snapshot holds the whole state)."""
        if vars(self).get("engine_deltas"):
            self.engine_state, self.engine_deltas = compacted(self.checkpoint), []

    def armed(self) -> dict[str, dict[str, Any]]:
        """The timers armed and not yet fired or cancelled (a snapshot from before timers
        existed has none)."""
        return vars(self).setdefault("timers", {})

    # -- commands ---------------------------------------------------------------------------

    @classmethod
    def start(cls, model: ProcessModel, version: int, data: dict[str, Any], actor: Actor,
              engine: Engine, standard: ServiceStandard | None = None,
              registration: str = "", case_id: UUID | None = None, sealed: str = "") -> Case:
        """Start a case: the service time starts, the engine runs to the first human tasks.

        ``data`` must no longer hold a sensitive reporter's identity: it arrives ``sealed``.
        """
        outcome = engine.start(model, data)
        case = cls._create(
            cls.Started, id=case_id or uuid4(), process_key=model.key, process_version=version,
            bpmn_sha256=model.sha256, registration=registration, data=data, actor=actor.username,
            engine_state=outcome.state, passed=outcome.passed, sealed=sealed,
            acting_for=_started_on_behalf(actor, model),
        )
        chosen = standard.deadline_for(data) if standard else None
        if standard and chosen:
            index, deadline = chosen
            case._trigger(cls.DeadlineSet, service=standard.key, service_name=standard.name,
                          rule=index, rule_text=deadline.rule,
                          working_days=deadline.working_days,
                          working_minutes=deadline.working_minutes)
        case._record_outcome(outcome)
        return case

    def extend_deadline(self, standard: ServiceStandard | None, actor: Actor, reason: str) -> None:
        """Extend the service time once, as the standard allows, with a written reason."""
        self._ensure_active()
        if self.deadline is None or standard is None:
            raise NotAllowed("this case has no service time to extend")
        extension = standard.extension_for(self.deadline["rule"])
        if extension is None:
            raise NotAllowed(f"the standard of {standard.name} allows no extension")
        if self.deadline["extensions"]:
            raise Conflict("the service time has already been extended once")
        self._trigger(self.DeadlineExtended, working_days=extension.working_days,
                      working_minutes=extension.working_minutes, reason=reason,
                      actor=actor.username)

    def link(self, relation: str, other: Case, actor: Actor) -> None:
        """Record that ``other`` continues this case as ``relation`` (once per relation);
        a completed case may still be objected to, a cancelled one not."""
        if self.status == CANCELLED:
            raise CaseClosed("case is cancelled")
        if any(link["relation"] == relation for link in self.links):
            raise Conflict(f"this case already has a {relation}")
        self._trigger(self.CaseLinked, relation=relation, other_case_id=str(other.id),
                      other_registration=other.registration, other_process=other.process_key,
                      actor=actor.username)

    @property
    def links(self) -> list[dict[str, Any]]:
        return list(vars(self).get("links", []))

    def claim(self, task_id: UUID, actor: Actor) -> None:
        task = self._open_task(task_id, actor)
        if task.claimed_by == actor.username:
            return
        if task.claimed_by:
            raise _claimed_by_other(task)
        self._trigger(self.TaskClaimed, task_id=task.task_id, actor=actor.username,
                      acting_for=actor.on_behalf_in(task.lane))

    def release(self, task_id: UUID, actor: Actor) -> None:
        task = self._open_task(task_id, actor)
        if task.claimed_by is None:
            return
        if task.claimed_by != actor.username:
            raise _claimed_by_other(task)
        self._trigger(self.TaskReleased, task_id=task.task_id, actor=actor.username,
                      acting_for=actor.on_behalf_in(task.lane))

    def complete_task(self, task_id: UUID, data: dict[str, Any], actor: Actor,
                      model: ProcessModel, engine: Engine,
                      may_hold: MayHold | None = None) -> None:
        """Complete a ready task with form data; record the engine's response as facts.

        A step that activates with ``assign_from`` goes to the user an earlier step named,
        if ``may_hold`` says that user may hold it (else it waits in its lane as usual)."""
        task = self._open_task(task_id, actor)
        if task.claimed_by and task.claimed_by != actor.username:
            raise _claimed_by_other(task)
        validate_form(task.form, data)
        outcome = engine.complete(model, self.checkpoint, task_id, data,
                                  delta=not self._whole_due())
        self._trigger(self.TaskCompleted, task_id=task.task_id, element_id=task.element_id,
                      data=data, actor=actor.username, engine_state=outcome.state,
                      passed=outcome.passed, acting_for=actor.on_behalf_in(task.lane),
                      engine_delta=outcome.delta)
        self._record_outcome(outcome, may_hold)

    def ready_task(self, task_id: UUID, actor: Actor) -> OpenTask:
        """The ready task, if the actor holds its lane (TaskNotReady, NotInLane otherwise)."""
        return self._open_task(task_id, actor)

    def assign(self, task_id: UUID, assignee: str, instruction: str, due_at: str | None,
               actor: Actor) -> None:
        """Dispose a ready step to ``assignee`` (checked by the caller to hold its lane):
        the actor holds the lane and the step is free, or the actor holds the step now."""
        task = self._open_task(task_id, actor)
        if task.claimed_by and task.claimed_by != actor.username:
            raise _claimed_by_other(task)
        if task.claimed_by == assignee:
            raise Conflict(f"{assignee} already holds this step")
        self._trigger(self.TaskAssigned, task_id=task.task_id, assignee=assignee,
                      instruction=instruction, due_at=due_at, by=actor.username,
                      previous_assignee=task.claimed_by,
                      acting_for=actor.on_behalf_in(task.lane))

    def comment(self, text: str, actor: Actor, task_id: str | None) -> None:
        """Add a note to the case (the caller checked who may); the case must be open."""
        self._ensure_active()
        task = self.open_tasks.get(task_id) if task_id else None
        self._trigger(self.CommentAdded, text=text, actor=actor.username, task_id=task_id,
                      acting_for=actor.on_behalf_in(task.lane) if task else None)

    def generated(self) -> list[dict[str, Any]]:
        """The letters generated in this case (a snapshot from before letters has none)."""
        return list(vars(self).get("documents") or [])

    def generate_document(self, task_id: UUID, actor: Actor, **document: Any) -> OpenTask:
        """Record a letter generated in a ready step the actor may act in (the caller checked
        the template, rendered the file and took the number)."""
        task = self._open_task(task_id, actor)
        if task.claimed_by and task.claimed_by != actor.username:
            raise _claimed_by_other(task)
        self._trigger(self.DocumentGenerated, task_id=task.task_id,
                      element_id=task.element_id, actor=actor.username,
                      acting_for=actor.on_behalf_in(task.lane), **document)
        return task

    def sign_document(self, document: str, signed: dict[str, Any], task_id: UUID,
                      actor: Actor) -> None:
        """Record ``signed`` (an attachment reference) as the signed version of the letter
        ``document`` (a sha256 this case generated)."""
        task = self.open_tasks.get(str(task_id))
        self._trigger(self.DocumentSigned, document=document, sha256=signed["sha256"],
                      name=signed["nama"], size=signed["ukuran"], task_id=str(task_id),
                      actor=actor.username,
                      acting_for=actor.on_behalf_in(task.lane) if task else None)

    def fire_timer(self, timer_id: str, actor: Actor, model: ProcessModel, engine: Engine,
                   now: datetime, may_hold: MayHold | None = None) -> bool:
        """Fire an armed timer whose due moment has passed; False (nothing recorded) if it
        has already fired or been cancelled, or is not due yet."""
        if self.status != ACTIVE:
            return False
        timer = self.armed().get(timer_id)
        if timer is None or datetime.fromisoformat(timer["due_at"]) > now:
            return False
        outcome = engine.fire(model, self.checkpoint, UUID(timer_id),
                              delta=not self._whole_due())
        still = {str(t.task_id) for t in outcome.ready}
        self._trigger(self.TimerFired, timer_id=timer_id, element_id=timer["element_id"],
                      due_at=timer["due_at"], actor=actor.username, engine_state=outcome.state,
                      passed=outcome.passed,
                      interrupted=[t for t in self.open_tasks if t not in still],
                      engine_delta=outcome.delta)
        self._record_outcome(outcome, may_hold)
        return True

    def remind(self, task_id: str, due_at: str) -> bool:
        """Remind the step's holder (or lane) of its due time, once."""
        task = self.open_tasks.get(task_id)
        if self.status != ACTIVE or task is None or task.reminded_at or task.escalated_to:
            return False
        self._trigger(self.TaskReminded, task_id=task_id, name=task.name, lane=task.lane,
                      holder=task.claimed_by, due_at=due_at)
        return True

    def escalate(self, task_id: str, due_at: str, to_role: str, unit: str) -> bool:
        """Escalate a step past its due time to its unit's supervisor, once."""
        task = self.open_tasks.get(task_id)
        if self.status != ACTIVE or task is None or task.escalated_to:
            return False
        self._trigger(self.TaskEscalated, task_id=task_id, name=task.name, lane=task.lane,
                      holder=task.claimed_by, due_at=due_at, to_role=to_role, unit=unit)
        return True

    def escalate_deadline(self, due_at: str, to_role: str) -> bool:
        """Escalate a case past its service time, once."""
        if self.status != ACTIVE or self.deadline is None or self.deadline.get("escalated_to"):
            return False
        self._trigger(self.DeadlineEscalated, due_at=due_at, to_role=to_role)
        return True

    def cancel(self, actor: Actor, reason: str) -> None:
        self._ensure_active()
        self._trigger(self.Cancelled, actor=actor.username, reason=reason)

    # -- helpers ----------------------------------------------------------------------------

    def _record_outcome(self, outcome: Outcome, may_hold: MayHold | None = None) -> None:
        for passage in outcome.gateways:
            self._trigger(self.GatewayTaken, gateway_id=passage.gateway_id,
                          flow_id=passage.flow_id, flow_name=passage.flow_name,
                          target_id=passage.target_id)
        for ready in outcome.ready:
            if str(ready.task_id) in self.open_tasks:
                continue
            by_reference = catalog.is_as_deployed(self.bpmn_sha256, ready.element_id,
                                                  ready.form, ready.properties)
            self._trigger(self.TaskActivated, task_id=str(ready.task_id),
                          element_id=ready.element_id, name=ready.name, lane=ready.lane,
                          form={} if by_reference else ready.form,
                          properties={} if by_reference else ready.properties)
            if may_hold is not None:
                self._dispose_from_form(self.open_tasks[str(ready.task_id)], may_hold)
        waiting = {str(t.timer_id) for t in outcome.timers}
        for timer_id, timer in list(self.armed().items()):
            if timer_id not in waiting:  # a boundary timer whose task was completed
                self._trigger(self.TimerCancelled, timer_id=timer_id,
                              element_id=timer["element_id"])
        for new in outcome.timers:
            if str(new.timer_id) not in self.armed():
                self._trigger(self.TimerArmed, timer_id=str(new.timer_id),
                              element_id=new.element_id, name=new.name, kind=new.kind,
                              value=new.value, working=new.working, due_at=new.due_at,
                              attached_to=new.attached_to, interrupting=new.interrupting)
        if outcome.ended:
            self._trigger(self.Completed)

    def _dispose_from_form(self, task: OpenTask, may_hold: MayHold) -> None:
        """``assign_from``: the step goes to the user the latest earlier step named there."""
        source = task.properties.get("assign_from")
        filled = next((s for s in reversed(self.steps) if source and s["data"].get(source)), None)
        if filled is None:
            return
        assignee = str(filled["data"][source])
        if not may_hold(assignee, task.lane):
            return  # no longer holds the lane (or disabled since): the lane takes it
        instruction_from = task.properties.get("instruction_from", "")
        self._trigger(self.TaskAssigned, task_id=task.task_id, assignee=assignee,
                      instruction=str(filled["data"].get(instruction_from) or ""),
                      due_at=None, by=filled["actor"], previous_assignee=None,
                      from_field=source, acting_for=filled.get("acting_for"))

    def _whole_due(self) -> bool:
        """Every WHOLE_EVERY-th checkpoint is whole: a restore folds at most that many."""
        return len(self.checkpoint) > WHOLE_EVERY

    def _trigger(self, event_class: type[Case.Event], **kwargs: Any) -> None:
        self.trigger_event(event_class, **kwargs)

    def _ensure_active(self) -> None:
        if self.status != ACTIVE:
            raise CaseClosed(f"case is {self.status}")

    def _open_task(self, task_id: UUID, actor: Actor) -> OpenTask:
        self._ensure_active()
        task = self.open_tasks.get(str(task_id))
        if task is None:
            raise TaskNotReady("task is no longer ready (completed or cancelled)")
        if not actor.holds(task.lane):
            raise NotInLane(
                f"task belongs to role '{task.lane}', which {actor.username} does not hold",
                lane=task.lane,
            )
        return task


def resolve_activation(event: Case.TaskActivated, sha256: str, key: str = "",
                       version: int = 0) -> tuple[dict[str, Any], dict[str, str]]:
    """An activation's form and properties, resolved from the version ``sha256`` when the
    event stores them by reference (ModelNotLoaded when that version is not parsed yet)."""
    if event.form:
        return event.form, event.properties
    task = catalog.task_of(sha256, event.element_id, key, version)
    return task["form"], task["properties"]


def _started_on_behalf(actor: Actor, model: ProcessModel) -> dict[str, str] | None:
    """The appointment a case was started under, when only an acting role lets the actor
    start it (their own roles record nothing)."""
    starting = set(model.starters) if model.starters else set(model.lanes.values())
    if actor.roles & starting - {lane for lane, _ in actor.acting}:
        return None
    return next((a.recorded() for lane, a in actor.acting if lane in starting), None)


def _claimed_by_other(task: OpenTask) -> TaskClaimedByOther:
    return TaskClaimedByOther(f"task is claimed by {task.claimed_by}", holder=task.claimed_by)
