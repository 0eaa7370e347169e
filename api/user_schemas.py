"""Schemas of user administration payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9._-]{1,62}$",
                           error="lowercase letters, digits, '.', '_' or '-' (2-63 characters)")


class NewUserSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = fields.List(fields.String(), required=True, validate=validate.Length(max=50))
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=12, max=200,
                                                      error="at least 12 characters"))


class RolesSchema(Schema):
    roles = fields.List(fields.String(), required=True, validate=validate.Length(max=50))


class UserRowSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    roles = fields.List(fields.String())
    active = fields.Boolean()
    demo = fields.Boolean()
