"""Marshmallow schemas: the single definition of every API payload."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

WITA = ZoneInfo("Asia/Makassar")


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             load_only=True)


class UserSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    roles = fields.List(fields.String())


class TokenSchema(Schema):
    token = fields.String()
    user = fields.Nested(UserSchema)


class RoleSchema(Schema):
    key = fields.String()
    name = fields.String()
    demo_user = fields.String(allow_none=True)


class ProcessSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    name = fields.String()
    sop = fields.String(allow_none=True)
    sha256 = fields.String()
    deployed_at = fields.String()
    lanes = fields.List(fields.String())


class QuoteSchema(Schema):
    source = fields.String()
    text = fields.String()


class ConflictSchema(Schema):
    """Two texts of the decrees that cannot both hold, as the catalogue records them."""

    id = fields.String()
    rows = fields.List(fields.String())
    summary = fields.String()
    reading = fields.String()
    quotes = fields.List(fields.Nested(QuoteSchema))


class ProcessDetailSchema(ProcessSchema):
    bpmn = fields.String()
    versions = fields.List(fields.Dict())
    conflicts = fields.List(fields.Nested(ConflictSchema))


class ProcessQuerySchema(Schema):
    version = fields.Integer(validate=validate.Range(min=1))


class StartCaseSchema(Schema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                       load_default=dict)


class DispositionSchema(Schema):
    """One link of a step's disposition chain (TaskAssigned)."""

    assignee = fields.String()
    by = fields.String(metadata={"description": "who disposed it"})
    instruction = fields.String()
    due_at = fields.String(allow_none=True, metadata={"description": "ISO 8601 in WITA"})
    previous_assignee = fields.String(allow_none=True)
    from_field = fields.String(metadata={
        "description": "the form field that disposed it (assign_from), or empty"})
    at = fields.String()
    acting_for = fields.Dict(allow_none=True, metadata={
        "description": "the Plh/Plt appointment the disposer acted under, or null"})


class OpenTaskSchema(Schema):
    id = fields.String()
    element_id = fields.String()
    name = fields.String()
    lane = fields.String()
    claimed_by = fields.String(allow_none=True, metadata={
        "description": "who holds it: claimed, or disposed to"})
    activated_at = fields.String()
    form = fields.Dict()
    properties = fields.Dict()
    assigned_by = fields.String(allow_none=True)
    instruction = fields.String()
    assignment_due_at = fields.String(allow_none=True)
    dispositions = fields.List(fields.Nested(DispositionSchema))
    reminded_at = fields.String(allow_none=True, metadata={
        "description": "when its holder was reminded of the due time (TaskReminded)"})
    escalated_to = fields.String(allow_none=True, metadata={
        "description": "the supervisor role it was escalated to past its due time"})


class StepSchema(Schema):
    """A completed step of a case: who, when, which step and row, and its own data."""

    task_id = fields.String()
    element_id = fields.String()
    name = fields.String()
    lane = fields.String()
    row = fields.String(metadata={"description": "the row number as the decree prints it"})
    activated_at = fields.String(allow_none=True)
    completed_at = fields.String()
    actor = fields.String()
    data = fields.Dict()
    dispositions = fields.List(fields.Nested(DispositionSchema))
    acting_for = fields.Dict(allow_none=True, metadata={
        "description": "the Plh/Plt appointment the act was done under (a.n.), or null"})


class CommentSchema(Schema):
    seq = fields.Integer(metadata={"description": "the case event that holds it"})
    at = fields.String(metadata={"description": "ISO 8601 in WITA (+08:00)"})
    actor = fields.String()
    text = fields.String()
    task_id = fields.String(allow_none=True)
    acting_for = fields.Dict(allow_none=True, metadata={
        "description": "the Plh/Plt appointment the act was done under (a.n.), or null"})


class AddCommentSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    task_id = fields.UUID(metadata={"description": "optional: the step it is about"})


class AssignTaskSchema(Schema):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=100),
                             metadata={"description": "username of an active holder of the lane"})
    instruction = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                                metadata={"description": "isi disposisi: what to do"})
    due_at = fields.AwareDateTime(default_timezone=WITA, metadata={
        "description": "optional, ISO 8601 (WITA when no offset), in the future"})
    case_version = fields.Integer(metadata={"description": "optional; same as If-Match"})


class GenerateDocumentSchema(Schema):
    """Generate a letter from a template in a ready step (``GET /cases/{id}/documents``
    lists the templates each open step may generate)."""

    template = fields.String(required=True, validate=validate.Length(min=1, max=100),
                             metadata={"description": "e.g. surat-keluar, nota-dinas"})
    task_id = fields.UUID(required=True, metadata={"description": "the ready step"})
    format = fields.String(load_default="docx", validate=validate.OneOf(["docx", "pdf"]))


class SignedVersionSchema(Schema):
    sha256 = fields.String()
    name = fields.String()
    size = fields.Integer()
    task_id = fields.String()
    actor = fields.String()
    acting_for = fields.Dict(allow_none=True, metadata={
        "description": "the appointment a Plh/Plt signed under (a.n.), or null"})
    at = fields.String(metadata={"description": "ISO 8601 in WITA (+08:00)"})
    download_url = fields.String()


class DocumentSchema(Schema):
    """A letter generated in the case, with its signed versions."""

    template = fields.String()
    title = fields.String(metadata={"description": "the template's name, e.g. Surat Keluar"})
    register = fields.String()
    number = fields.String(metadata={"description": "e.g. 12/PY.02.1-SD/6474/III/2026"})
    sequence = fields.Integer(metadata={"description": "its number in the register's year"})
    year = fields.Integer()
    version = fields.Integer(metadata={"description": "1, 2 … per template in this case"})
    sha256 = fields.String()
    name = fields.String()
    size = fields.Integer()
    format = fields.String(validate=validate.OneOf(["docx", "pdf"]))
    task_id = fields.String()
    element_id = fields.String()
    actor = fields.String()
    acting_for = fields.Dict(allow_none=True, metadata={
        "description": "the appointment a Plh/Plt generated it under (a.n.), or null"})
    at = fields.String(metadata={"description": "ISO 8601 in WITA (+08:00)"})
    download_url = fields.String()
    signed = fields.List(fields.Nested(SignedVersionSchema), metadata={
        "description": "signed versions uploaded back as a step's output"})
    case_version = fields.Integer(metadata={"description": "after generating (201 only)"})
    position = fields.Integer(metadata={"description": "log position of the write (201 only)"})


class TemplateChoiceSchema(Schema):
    key = fields.String()
    name = fields.String()
    register = fields.String()
    task_id = fields.String()
    step = fields.String()


class CaseDocumentsSchema(Schema):
    documents = fields.List(fields.Nested(DocumentSchema))
    templates = fields.List(fields.Nested(TemplateChoiceSchema), metadata={
        "description": "what the caller may generate now: per open step of their lanes"})


class CaseSchema(Schema):
    id = fields.String()
    registration = fields.String(metadata={"description": "e.g. 9.3/00012/2026"})
    process = fields.String()
    version = fields.Integer(metadata={"description": "process version the case runs on"})
    status = fields.String(validate=validate.OneOf(["active", "completed", "cancelled"]))
    data = fields.Dict()
    open_tasks = fields.List(fields.Nested(OpenTaskSchema))
    case_version = fields.Integer(metadata={"description": "number of events; use in If-Match"})
    started_by = fields.String()
    path = fields.List(fields.String(), metadata={"description": "BPMN element ids passed"})
    steps = fields.List(fields.Nested(StepSchema), metadata={
        "description": "every completed step with its own data, in order"})
    head_hash = fields.String()
    deadline = fields.Dict(allow_none=True, metadata={
        "description": "service time from Keputusan 33/2025, due_at in working time"})
    timers = fields.List(fields.Dict(), metadata={
        "description": "armed timer events: [{timer_id, element_id, name, kind, value, working,"
                       " due_at, attached_to, interrupting, armed_at}], fired by the scheduler"})
    position = fields.Integer(metadata={"description": "log position of the last write"})
    reporter = fields.Raw(allow_none=True, metadata={
        "description": "sensitive processes only: the reporter's identity for the handling "
                       "role, null for an anonymous report, \"[disamarkan]\" for everyone else"})


class EventSchema(Schema):
    seq = fields.Integer()
    type = fields.String()
    at = fields.String(metadata={"description": "ISO 8601 in WITA (+08:00)"})
    actor = fields.String(allow_none=True)
    task = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    data = fields.Dict()
    acting_for = fields.Dict(allow_none=True, metadata={
        "description": "the Plh/Plt appointment the act was done under (a.n.), or null"})
    prev_hash = fields.String()


class ReplayQuerySchema(Schema):
    at = fields.Integer(required=True, metadata={"description": "event number, 1..case_version"})


class ReplaySchema(CaseSchema):
    at = fields.Integer(metadata={"description": "the case as it stood right after this event"})
    events = fields.Integer(metadata={"description": "events the case has now"})


class BrokenLinkSchema(Schema):
    seq = fields.Integer()
    problem = fields.String(validate=validate.OneOf(
        ["altered", "removed", "inserted", "reordered", "undecodable"]))
    detail = fields.String()


class VerificationSchema(Schema):
    case_id = fields.String()
    ok = fields.Boolean()
    events = fields.Integer(metadata={"description": "stored events"})
    head_hash = fields.String(metadata={"description": "hash of the last stored event"})
    first_bad = fields.Nested(BrokenLinkSchema, allow_none=True)


class AccessEntrySchema(Schema):
    seq = fields.Integer()
    at = fields.String(metadata={"description": "ISO 8601 in WITA (+08:00)"})
    actor = fields.String()
    roles = fields.List(fields.String())
    what = fields.String()
    revealed = fields.Boolean(metadata={"description": "the reporter was shown in clear"})


class ExportSchema(Schema):
    case = fields.Dict()
    events = fields.List(fields.Nested(EventSchema))
    verification = fields.Nested(VerificationSchema)
    exported_at = fields.String()
    exported_by = fields.String()




class InboxTaskSchema(Schema):
    id = fields.String(attribute="task_id")
    case_id = fields.String()
    process = fields.String()
    element_id = fields.String()
    name = fields.String()
    lane = fields.String()
    state = fields.String()
    claimed_by = fields.String(allow_none=True)
    activated_at = fields.String()
    due_at = fields.String(allow_none=True)
    form = fields.Dict()
    properties = fields.Dict()
    summary = fields.Dict()
    registration = fields.String()
    subject = fields.String()
    assigned_by = fields.String(allow_none=True, metadata={
        "description": "who disposed it to its holder (claimed_by), if anyone"})
    instruction = fields.String(allow_none=True)
    assignment_due_at = fields.String(allow_none=True)
    dispositions = fields.List(fields.Nested(DispositionSchema), metadata={
        "description": "the disposition chain (task reads from the case only)"})


class CompleteTaskSchema(Schema):
    data = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                       load_default=dict)
    case_version = fields.Integer(metadata={"description": "optional; same as If-Match"})


class TaskCommandSchema(Schema):
    case_version = fields.Integer(metadata={"description": "optional; same as If-Match"})


class ExtendDeadlineSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=10, max=2000))
    case_version = fields.Integer()


class CancelCaseSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))
    case_version = fields.Integer()


class CommandResultSchema(Schema):
    case_id = fields.String()
    case_version = fields.Integer(attribute="version")
    position = fields.Integer()
