"""Schemas of the office calendar's payloads (cuti bersama, office hours)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

HOURS = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$",
                        error="must be HH:MM-HH:MM, e.g. 08:00-16:00")
REASON = validate.Length(min=1, max=500)
DECREE = validate.Length(max=300)


class DeclareCutiSchema(Schema):
    day = fields.Date(required=True, metadata={"description": "the day (WITA), YYYY-MM-DD"})
    reason = fields.String(required=True, validate=REASON,
                           metadata={"description": "why, e.g. 'Cuti bersama Idulfitri'"})
    decree = fields.String(load_default="", validate=DECREE, metadata={
        "description": "the decree it follows, e.g. 'SKB 3 Menteri No. … Tahun 2026'"})


class WithdrawCutiSchema(Schema):
    reason = fields.String(required=True, validate=REASON)
    decree = fields.String(load_default="", validate=DECREE)


class OfficeHoursSchema(Schema):
    effective_from = fields.Date(required=True, metadata={
        "description": "first day (WITA) the hours hold; today or later"})
    office_hours = fields.String(required=True, validate=HOURS,
                                 metadata={"description": "Monday to Thursday"})
    friday_hours = fields.String(required=True, validate=HOURS)
    reason = fields.String(required=True, validate=REASON)
    decree = fields.String(load_default="", validate=DECREE)


class CalendarQuerySchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={
        "description": "the year whose national holidays are listed (default: this year)"})


class CutiRowSchema(Schema):
    day = fields.String()
    reason = fields.String()
    decree = fields.String()
    by = fields.String()
    at = fields.String(allow_none=True)


class HoursPeriodSchema(Schema):
    effective_from = fields.String()
    office_hours = fields.String()
    friday_hours = fields.String()


class HolidaySchema(Schema):
    day = fields.String()
    name = fields.String()
    name_id = fields.String(metadata={"description": "the name in Bahasa Indonesia"})


class CalendarSchema(Schema):
    timezone = fields.String()
    office_hours = fields.String(metadata={"description": "before the first period"})
    friday_hours = fields.String()
    hours_from = fields.List(fields.Nested(HoursPeriodSchema))
    cuti_bersama = fields.List(fields.Nested(CutiRowSchema))
    public_holidays = fields.List(fields.Nested(HolidaySchema))
    year = fields.Integer()
    history = fields.List(fields.Dict(), metadata={
        "description": "every change (event, at, version, by, reason, decree …), oldest "
                       "first; empty while the configuration is the calendar"})
