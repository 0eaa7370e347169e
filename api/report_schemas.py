"""Schemas of the list, SLA and dashboard reads (kept beside schemas.py to stay small)."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, validate

from projections.queries import INBOX_VIEWS

DATES = validate.Range(min=date(2000, 1, 1), max=date(2999, 12, 31))


class PageArgsSchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    # bounded: SQLite integers are 64-bit, and no one pages a million rows deep
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class InboxArgsSchema(PageArgsSchema):
    process = fields.String()
    view = fields.String(load_default="all", validate=validate.OneOf(INBOX_VIEWS),
                         metadata={"description": "all | mine | unclaimed | overdue | due_soon"
                                                  " | escalated (Eskalasi)"})
    q = fields.String(validate=validate.Length(min=1, max=100),
                      metadata={"description": "registration number or subject contains"})
    after = fields.Integer(validate=validate.Range(min=0),
                           metadata={"description": "wait until this log position is visible"})


class CaseListArgsSchema(PageArgsSchema):
    process = fields.String()
    status = fields.String(validate=validate.OneOf(["active", "completed", "cancelled"]))
    role = fields.String(metadata={"description": "cases waiting on this role"})
    started_from = fields.Date(data_key="from", validate=DATES,
                               metadata={"description": "WITA date"})
    started_to = fields.Date(data_key="to", validate=DATES,
                             metadata={"description": "WITA date, inclusive"})
    registration = fields.String()
    q = fields.String(validate=validate.Length(min=1, max=100))
    after = fields.Integer(validate=validate.Range(min=0))


class CaseRowSchema(Schema):
    id = fields.String(attribute="case_id")
    process = fields.String()
    version = fields.Integer(attribute="process_version")
    registration = fields.String()
    status = fields.String()
    subject = fields.String()
    summary = fields.Dict()
    started_at = fields.String()
    started_by = fields.String()
    completed_at = fields.String(allow_none=True)
    service = fields.String(allow_none=True)
    deadline_at = fields.String(allow_none=True)
    cycle_hours = fields.Float(allow_none=True)


class ScopeArgsSchema(Schema):
    process = fields.String()


class OverdueTaskSchema(Schema):
    id = fields.String(attribute="task_id")
    case_id = fields.String()
    registration = fields.String()
    process = fields.String()
    name = fields.String()
    lane = fields.String()
    holder = fields.String(attribute="claimed_by", allow_none=True)
    due_at = fields.String()


class OverdueSchema(Schema):
    tasks = fields.List(fields.Nested(OverdueTaskSchema))
    cases = fields.List(fields.Nested(CaseRowSchema))
    by_role = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_unit = fields.Dict(keys=fields.String(), values=fields.Integer())


class StepStatsSchema(Schema):
    element_id = fields.String()
    name = fields.String()
    open = fields.Integer()
    overdue = fields.Integer()
    done = fields.Integer()
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)


class ProcessStatsSchema(Schema):
    process = fields.String()
    open = fields.Integer()
    completed = fields.Integer()
    cancelled = fields.Integer()
    overdue = fields.Integer()
    cycle_hours = fields.Dict()
    steps = fields.List(fields.Nested(StepStatsSchema))
