"""The stored event vocabulary, fixed: every event class's topic and fields, for every aggregate.

Events are stored by topic (module:Qualname) and decoded by setting their stored fields: a
renamed or moved class orphans every stored event of it, a dropped or renamed field leaves old
events without it, and a new field without a default is missing from every event stored before.
So this list changes only by additions: a new event class, or a new field *with* a default
(written ``name=default``). Anything else needs ``class_version`` and an upcaster first.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from typing import Any

from eventsourcing.domain import Aggregate, CanInitAggregate, decorated_funcs
from eventsourcing.utils import get_topic

import orchestrator.integrity  # noqa: F401  (imports every aggregate module)
from orchestrator.hashchain import ChainedAggregate

LIBRARY_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}

GOLDEN = {
    "orchestrator.acting:ActingAppointments.Opened": ("prev_hash", "deputy"),
    "orchestrator.acting:ActingAppointments.Appointed": (
        "prev_hash", "appointment_id", "role", "official", "kind", "starts_on", "ends_on",
        "reason", "by"),
    "orchestrator.acting:ActingAppointments.Ended": ("prev_hash", "appointment_id", "by",
                                                      "reason"),
    "orchestrator.office_calendar:OfficeCalendar.Opened": (
        "prev_hash", "office_hours", "friday_hours", "cuti_bersama", "by"),
    "orchestrator.office_calendar:OfficeCalendar.CutiBersamaDeclared": (
        "prev_hash", "day", "reason", "decree", "by"),
    "orchestrator.office_calendar:OfficeCalendar.CutiBersamaWithdrawn": (
        "prev_hash", "day", "reason", "decree", "by"),
    "orchestrator.office_calendar:OfficeCalendar.OfficeHoursChanged": (
        "prev_hash", "effective_from", "office_hours", "friday_hours", "reason", "decree", "by"),
    "orchestrator.access:AccessLog.Opened": ("prev_hash", "case_id"),
    "orchestrator.access:AccessLog.Read": ("prev_hash", "actor", "roles", "what", "revealed"),
    "orchestrator.case:Case.Started": (
        "prev_hash", "process_key", "process_version", "bpmn_sha256", "registration", "data",
        "actor", "engine_state", "passed", "acting_for=None", "sealed=''"),
    "orchestrator.case:Case.TaskActivated": (
        "prev_hash", "task_id", "element_id", "name", "lane", "form", "properties"),
    "orchestrator.case:Case.TaskClaimed": ("prev_hash", "task_id", "actor", "acting_for=None"),
    "orchestrator.case:Case.TaskReleased": ("prev_hash", "task_id", "actor", "acting_for=None"),
    "orchestrator.case:Case.TaskCompleted": (
        "prev_hash", "task_id", "element_id", "data", "actor", "engine_state", "passed",
        "acting_for=None", "engine_delta=''"),
    "orchestrator.case:Case.GatewayTaken": (
        "prev_hash", "gateway_id", "flow_id", "flow_name", "target_id"),
    "orchestrator.case:Case.DeadlineSet": (
        "prev_hash", "service", "service_name", "rule", "rule_text", "working_days",
        "working_minutes"),
    "orchestrator.case:Case.DeadlineExtended": (
        "prev_hash", "working_days", "working_minutes", "reason", "actor"),
    "orchestrator.case:Case.Completed": ("prev_hash",),
    "orchestrator.case:Case.Cancelled": ("prev_hash", "actor", "reason"),
    "orchestrator.case:Case.TaskAssigned": (
        "prev_hash", "task_id", "assignee", "instruction", "due_at", "by", "previous_assignee",
        "from_field=''", "acting_for=None"),
    "orchestrator.case:Case.CommentAdded": (
        "prev_hash", "text", "actor", "task_id", "acting_for=None"),
    "orchestrator.case:Case.DocumentGenerated": (
        "prev_hash", "template", "title", "register", "number", "sequence", "year", "sha256",
        "name", "size", "format", "task_id", "element_id", "actor", "acting_for=None"),
    "orchestrator.case:Case.DocumentSigned": (
        "prev_hash", "document", "sha256", "name", "size", "task_id", "actor",
        "acting_for=None"),
    "orchestrator.case:Case.TimerArmed": (
        "prev_hash", "timer_id", "element_id", "name", "kind", "value", "working", "due_at",
        "attached_to", "interrupting"),
    "orchestrator.case:Case.TimerFired": (
        "prev_hash", "timer_id", "element_id", "due_at", "actor", "engine_state", "passed",
        "interrupted", "engine_delta=''"),
    "orchestrator.case:Case.TimerCancelled": ("prev_hash", "timer_id", "element_id"),
    "orchestrator.case:Case.TaskReminded": (
        "prev_hash", "task_id", "name", "lane", "holder", "due_at"),
    "orchestrator.case:Case.TaskEscalated": (
        "prev_hash", "task_id", "name", "lane", "holder", "due_at", "to_role", "unit"),
    "orchestrator.case:Case.DeadlineEscalated": ("prev_hash", "due_at", "to_role"),
    "orchestrator.case:Case.CaseLinked": (
        "prev_hash", "relation", "other_case_id", "other_registration", "other_process",
        "actor"),
    "orchestrator.definitions:Directory.Created": ("prev_hash", "kind"),
    "orchestrator.definitions:Directory.Entered": ("prev_hash", "name"),
    "orchestrator.definitions:ProcessDefinition.Registered": ("prev_hash", "key"),
    "orchestrator.definitions:ProcessDefinition.VersionDeployed": (
        "prev_hash", "version", "bpmn", "sha256", "name", "actor", "deployed_at", "source=''"),
    "orchestrator.definitions:ProcessDefinition.SensitivityApproved": (
        "prev_hash", "sha256", "sensitive", "handling_role", "previous_sensitive",
        "previous_handling_role", "approver", "approved_at"),
    "orchestrator.registration:RegistrationCounter.Created": ("prev_hash", "key", "year"),
    "orchestrator.registration:RegistrationCounter.Issued": (
        "prev_hash", "number", "case_id=''", "document=''"),
    "orchestrator.schedules:ScheduledStart.Started": (
        "prev_hash", "schedule", "period", "process", "case_id", "due_at"),
    "orchestrator.tickets:PublicTicket.Issued": (
        "prev_hash", "registration", "case_id", "kind", "salt", "code_sha256"),
    "orchestrator.users:User.Registered": (
        "prev_hash", "username", "full_name", "roles", "password_hash", "demo=False"),
    "orchestrator.users:User.PasswordChanged": ("prev_hash", "password_hash"),
    "orchestrator.users:User.RolesChanged": ("prev_hash", "roles", "actor=''"),
    "orchestrator.users:User.TokensRevoked": ("prev_hash", "actor=''"),
    "orchestrator.users:User.Disabled": ("prev_hash", "actor=''"),
    "orchestrator.users:User.Enabled": ("prev_hash", "actor=''"),
    "orchestrator.users:User.ProfileUpdated": (
        "prev_hash", "full_name", "nip", "jabatan", "email", "whatsapp", "actor=''"),
    "orchestrator.users:User.NotificationsRead": ("prev_hash", "ids", "everything=False"),
    "orchestrator.notices:Delivery.Claimed": (
        "prev_hash", "key", "channel", "sender", "lease_until"),
    "orchestrator.notices:Delivery.Reclaimed": ("prev_hash", "sender", "lease_until"),
    "orchestrator.notices:Delivery.HandedOver": ("prev_hash", "attempt"),
    "orchestrator.notices:Delivery.Sent": ("prev_hash", "attempt", "detail"),
    "orchestrator.notices:Delivery.AttemptFailed": ("prev_hash", "attempt", "error", "retry_at"),
    "orchestrator.notices:Delivery.Unconfirmed": ("prev_hash", "attempt", "reason"),
    "orchestrator.notices:Delivery.Requeued": ("prev_hash", "actor"),
    "orchestrator.notices:Reminder.Issued": (
        "prev_hash", "task_id", "case_id", "kind", "due_at", "at"),
}


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def our_aggregates() -> list[type[Any]]:
    return [cls for cls in _subclasses(Aggregate) if cls.__module__.startswith("orchestrator.")]


def method_defaults(aggregate: type, event_class: type) -> dict[str, Any]:
    """Defaults of the method an event's fields are applied through: an ``@event`` method,
    or ``__init__`` for a created event (an old event lacking the field gets it there)."""
    method = decorated_funcs.get(event_class)
    if method is None and issubclass(event_class, CanInitAggregate):
        init = aggregate.__dict__.get("__init__")
        method = getattr(init, "decorated_func", init)
    if method is None:
        return {}
    return {name: param.default for name, param in inspect.signature(method).parameters.items()
            if param.default is not param.empty}


def fields_of(aggregate: type, event_class: type) -> tuple[str, ...]:
    defaults = method_defaults(aggregate, event_class)
    listed = []
    for field in dataclasses.fields(event_class):
        default = field.default if field.default is not dataclasses.MISSING else defaults.get(
            field.name, dataclasses.MISSING)
        if field.name not in LIBRARY_FIELDS:
            listed.append(field.name if default is dataclasses.MISSING
                          else f"{field.name}={default!r}")
    return tuple(listed)


def vocabulary() -> dict[str, tuple[str, ...]]:
    """Every event class our aggregates define, by stored topic."""
    found = {}
    for aggregate in our_aggregates():
        for name, value in vars(aggregate).items():
            if not (isinstance(value, type) and issubclass(value, aggregate.Event)):
                continue
            if name == "Event" or (name == "Created" and not inspect.get_annotations(value)):
                continue  # bases, and the library's unused "Created" on every aggregate class
            found[get_topic(value)] = fields_of(aggregate, value)
    return found


def test_every_aggregate_is_hash_chained() -> None:
    aggregates = our_aggregates()
    assert {cls.__qualname__ for cls in aggregates} >= {
        "Case", "AccessLog", "User", "ProcessDefinition", "Directory", "RegistrationCounter",
        "PublicTicket", "Delivery", "Reminder", "OfficeCalendar"}
    assert [cls for cls in aggregates if not issubclass(cls, ChainedAggregate)] == []


def test_the_stored_event_vocabulary_only_grows() -> None:
    found = vocabulary()
    missing = sorted(set(GOLDEN) - set(found))
    assert missing == [], f"event classes renamed, moved or removed (stored events orphaned): " \
                          f"{missing}"
    changed = {topic: (GOLDEN[topic], found[topic]) for topic in GOLDEN
               if found[topic] != GOLDEN[topic]}
    assert changed == {}, "fields changed (golden, now): add fields only with a default, " \
                          "then add them here"
    unlisted = sorted(set(found) - set(GOLDEN))
    assert unlisted == [], f"new event classes: add them to GOLDEN: {unlisted}"
