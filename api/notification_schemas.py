"""Schemas of notifications, deliveries and the caller's own profile (API and pages)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates

PHONE = validate.Regexp(r"^\+?[0-9][0-9 .-]{7,18}[0-9]$",
                        error="a telephone number: digits, optionally +, spaces or '-'")
NIP = validate.Regexp(r"^[0-9]{18}$", error="an NIP has 18 digits")


class NotificationSchema(Schema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String()
    case_id = fields.String(allow_none=True)
    created_at = fields.String()
    read_at = fields.String(allow_none=True)


class NotificationArgsSchema(Schema):
    unread = fields.Boolean(load_default=False)
    after = fields.Integer(validate=validate.Range(min=0))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))


class UnreadSchema(Schema):
    unread = fields.Integer()


class MarkReadSchema(Schema):
    ids = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list,
                      validate=validate.Length(max=500))
    all = fields.Boolean(load_default=False)


class PositionSchema(Schema):
    position = fields.Integer()


class DeliverySchema(Schema):
    delivery_id = fields.String()
    recipient = fields.String()
    channel = fields.String()
    address = fields.Method("_address")
    case_id = fields.String(allow_none=True)
    subject = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    retry_at = fields.String(allow_none=True)
    last_error = fields.String()

    def _address(self, row: dict[str, str]) -> str:
        return "[disamarkan]" if row.get("sealed") else row.get("address", "")


class DeliveryArgsSchema(Schema):
    state = fields.String(validate=validate.OneOf(
        ["failed", "unconfirmed", "retry", "pending", "sending", "handing_over", "sent"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))


class ProfileSchema(Schema):
    """The caller's profile: name, NIP, position, and where notifications go."""

    username = fields.String(dump_only=True)
    roles = fields.List(fields.String(), dump_only=True)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    nip = fields.String(load_default="", validate=validate.Length(max=18))
    jabatan = fields.String(load_default="", validate=validate.Length(max=200))
    email = fields.String(load_default="", validate=validate.Length(max=254))
    whatsapp = fields.String(load_default="", validate=validate.Length(max=24))

    @validates("nip")
    def _nip(self, value: str, **_: object) -> None:
        if value:
            NIP(value)

    @validates("email")
    def _email(self, value: str, **_: object) -> None:
        if value:
            validate.Email(error="not an e-mail address")(value)

    @validates("whatsapp")
    def _whatsapp(self, value: str, **_: object) -> None:
        if value:
            PHONE(value)


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True,
                                     validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True,
                                 validate=validate.Length(min=12, max=200,
                                                          error="at least 12 characters"))

