"""Schemas of acting-official (Plh/Plt) payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.user_schemas import USERNAME
from orchestrator.acting import KINDS


class NewActingSchema(Schema):
    deputy = fields.String(required=True, validate=USERNAME,
                           metadata={"description": "the user who stands in"})
    role = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.OneOf(sorted(KINDS)),
                         metadata={"description": "plh (Pelaksana Harian) or plt (Pelaksana "
                                                  "Tugas)"})
    starts_on = fields.Date(required=True, metadata={"description": "first day (WITA)"})
    ends_on = fields.Date(required=True, metadata={"description": "last day (WITA), included"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    official = fields.String(validate=USERNAME, metadata={
        "description": "who is stood in for; defaults to the caller"})


class EndActingSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ActingRowSchema(Schema):
    deputy = fields.String()
    appointment_id = fields.String()
    role = fields.String()
    official = fields.String()
    kind = fields.String()
    starts_on = fields.String()
    ends_on = fields.String()
    reason = fields.String()
    by = fields.String()
    ended = fields.Boolean()
    holds_today = fields.Boolean()
