"""A task's JSON Schema ``form`` as HTML fields, and the submitted form back into data.

Decisions (``enum``) are radio buttons labelled from ``x-enumLabels``; long or unbounded text
is a text area; numbers, booleans, dates and times get their own inputs. The scaffolder's
vocabulary (tools/catalogue_to_bpmn.py) adds money (``x-alur-widget: money``: "Rp 1.250.000"
typed, an integer of Rupiah stored), lists of names or of attendees (rows added and removed
by api/static/js/isian-daftar.js; without script the page offers empty rows) and a named
official (``x-alur-widget: user``: a select of the active users holding ``x-alur-lanes``).
``lampiran`` (attachments) is no typed field: the page stores uploads and adds their
references; its title and ``required`` label the upload.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from werkzeug.datastructures import MultiDict

ATTACHMENTS = "lampiran"
NOTE = "catatan"
LONG_TEXT = 200
BLANK_ROWS = 2  # empty list rows offered to a browser without script
WITA_OFFSET = "+08:00"
People = Callable[[Sequence[str]], list[tuple[str, str]]]


@dataclass(frozen=True)
class FormField:
    """One input of a task form."""

    name: str
    label: str
    # radio, select, textarea, text, integer, number, checkbox, date, datetime, money, list,
    # attendees, user (a select of officials), file (the upload)
    kind: str
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    description: str = ""
    default: Any = None
    max_items: int | None = None

    def rows(self, values: Any) -> list[Any]:
        """A list field's rows as last submitted (plus blank ones): strings, or (nama, jabatan)."""
        if self.kind == "attendees":
            names = _getlist(values, f"{self.name}.nama")
            posts = _getlist(values, f"{self.name}.jabatan") + [""] * len(names)
            rows: list[Any] = [(n, p) for n, p in zip(names, posts, strict=False)
                               if n.strip() or p.strip()]
            return rows + [("", "")] * BLANK_ROWS
        return [v for v in _getlist(values, self.name) if v.strip()] + [""] * BLANK_ROWS


def _getlist(values: Any, name: str) -> list[str]:
    if isinstance(values, MultiDict):
        return [str(v) for v in values.getlist(name)]
    found = (values or {}).get(name)
    if found is None:
        return []
    return [str(v) for v in found] if isinstance(found, list) else [str(found)]


def _array_kind(spec: dict[str, Any]) -> str:
    items = spec.get("items") or {}
    if items.get("type") == "object":
        return "attendees" if set(items.get("properties") or {}) == {"nama", "jabatan"} \
            else "unsupported"
    return "list" if items.get("type", "string") == "string" else "unsupported"


def _string_kind(spec: dict[str, Any]) -> str:
    formats = {"date": "date", "date-time": "datetime"}
    if spec.get("format") in formats:
        return formats[spec["format"]]
    limit = spec.get("maxLength")
    return "text" if limit is not None and limit <= LONG_TEXT else "textarea"


def _kind(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return "radio" if len(spec["enum"]) <= 6 else "select"
    if spec.get("x-alur-widget") in ("money", "user"):
        return str(spec["x-alur-widget"])
    kind = spec.get("type", "string")
    simple = {"boolean": "checkbox", "integer": "integer", "number": "number"}
    if kind in simple:
        return simple[kind]
    if kind == "array":
        return _array_kind(spec)
    return _string_kind(spec) if kind == "string" else "unsupported"


def active_holders(roles: Sequence[str]) -> list[tuple[str, str]]:
    """(username, "Full name — Role") of every active user holding one of ``roles``."""
    from api.auth import services  # the page's services; a test passes its own ``people``

    svc = services()
    app = svc.orchestrator
    found = []
    for user in filter(None, map(app.find_user, app.usernames())):
        held = [r for r in roles if r in user.roles]
        if user.active and held:
            found.append((user.username, f"{user.full_name} — {svc.roles.name(held[0])}"))
    return sorted(found, key=lambda option: option[1].lower())


def _options(spec: dict[str, Any], kind: str, people: People | None) -> list[tuple[str, str]]:
    if kind == "user":
        return (people or active_holders)(list(spec.get("x-alur-lanes") or []))
    labels = spec.get("x-enumLabels") or {}
    return [(str(v), str(labels.get(v, v))) for v in spec.get("enum", [])]


def _order(f: FormField) -> int:
    """Decisions first (they are what the step is for), then the step's data, its document,
    and the note last."""
    if f.kind in ("radio", "select"):
        return 0
    return {"file": 2, NOTE: 3}.get(f.kind if f.kind == "file" else f.name, 1)


def form_fields(form: dict[str, Any], people: People | None = None) -> list[FormField]:
    """The inputs of a form; ``people`` lists the users a named-official field offers."""
    required = set(form.get("required", []))
    found = [upload] if (upload := attachment_field(form)) else []
    for name, spec in (form.get("properties") or {}).items():
        kind = _kind(spec)
        if name == ATTACHMENTS or kind == "unsupported":
            continue
        found.append(FormField(name, str(spec.get("title") or name.replace("_", " ").title()),
                               kind, name in required, _options(spec, kind, people),
                               spec.get("maxLength") if kind != "list" else
                               (spec.get("items") or {}).get("maxLength"),
                               str(spec.get("description") or ""), spec.get("default"),
                               spec.get("maxItems")))
    return sorted(found, key=_order)


def attachment_field(form: dict[str, Any]) -> FormField | None:
    """The upload's label and whether the step must attach a document (None: no uploads)."""
    spec = (form.get("properties") or {}).get(ATTACHMENTS)
    if spec is None:
        return None
    title = str(spec.get("title") or "Lampiran")
    label = "Lampiran dokumen langkah ini" if title == "Lampiran" else title
    return FormField(ATTACHMENTS, label, "file", ATTACHMENTS in set(form.get("required", [])),
                     description=str(spec.get("description") or ""))


def accepts_attachments(form: dict[str, Any]) -> bool:
    """Whether completion data may carry ``lampiran`` under this form's own rules."""
    if ATTACHMENTS in (form.get("properties") or {}):
        return True
    return form.get("additionalProperties", True) is not False


def _number(raw: str, kind: str) -> int | float:
    return int(raw) if kind == "integer" else float(raw.replace(",", "."))


_MONEY = re.compile(r"(?:rp\.?)?\s*(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,0{1,2})?", re.IGNORECASE)


def parse_money(raw: str) -> int:
    """Rupiah as people write it ("Rp 1.250.000", "1.250.000,00", "1250000") → 1250000."""
    found = _MONEY.fullmatch(raw.strip())
    if not found:
        raise ValueError(raw)
    return int(re.sub(r"[.\s]", "", found.group(1)))


def format_money(amount: int) -> str:
    """1250000 → "Rp 1.250.000"."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def parse_date(raw: str) -> str:
    """An ISO date from the date input ("2025-01-09") or as typed ("9/1/2025", "09-01-2025")."""
    typed = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw)
    if typed:
        day, month, year = (int(p) for p in typed.groups())
        return date(year, month, day).isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ValueError(raw)
    return date.fromisoformat(raw).isoformat()


def parse_datetime(raw: str) -> str:
    """A WITA moment from the datetime-local input ("2025-01-09T10:30")."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", raw):
        raise ValueError(raw)
    moment = datetime.fromisoformat(raw.replace(" ", "T"))
    return moment.replace(microsecond=0).isoformat() + WITA_OFFSET


_INVALID = {"integer": "Harus berupa bilangan bulat.", "number": "Harus berupa angka.",
            "money": "Tulis jumlah Rupiah tanpa sen, misalnya Rp 1.250.000.",
            "date": "Tanggal tidak sah (tulis hh/bb/tttt).",
            "datetime": "Tanggal dan jam tidak sah."}
_CONVERT: dict[str, Callable[[str], Any]] = {
    "integer": int, "number": lambda raw: _number(raw, "number"), "money": parse_money,
    "date": parse_date, "datetime": parse_datetime}


def _scalar(spec: FormField, raw: str) -> tuple[Any, str | None]:
    """(value, message) of one filled input."""
    if spec.max_length is not None and len(raw) > spec.max_length:
        return None, f"Paling banyak {spec.max_length} karakter."
    if spec.kind == "user" and raw not in {value for value, _ in spec.options}:
        return None, "Pilih pejabat dari daftar."
    if spec.options and raw not in {value for value, _ in spec.options}:
        return None, "Pilihan tidak dikenal."
    convert = _CONVERT.get(spec.kind)
    if convert is None:
        return raw, None
    try:
        return convert(raw), None
    except ValueError:
        return None, _INVALID[spec.kind]


def _list(spec: FormField, submitted: MultiDict[str, str]) -> tuple[list[Any], str | None]:
    """(rows, message) of a list: blank rows dropped, each row within its limit."""
    if spec.kind == "attendees":
        pairs = zip(submitted.getlist(f"{spec.name}.nama"),
                    submitted.getlist(f"{spec.name}.jabatan"), strict=False)
        rows: list[Any] = []
        for name, post in ((n.strip(), p.strip()) for n, p in pairs):
            if not (name or post):
                continue
            if not name:
                return [], "Setiap baris perlu nama."
            if len(name) > 120 or len(post) > 120:
                return [], "Nama dan jabatan paling banyak 120 karakter."
            rows.append({"nama": name, "jabatan": post} if post else {"nama": name})
    else:
        rows = [v.strip() for v in submitted.getlist(spec.name) if v.strip()]
        if spec.max_length is not None and any(len(v) > spec.max_length for v in rows):
            return [], f"Setiap baris paling banyak {spec.max_length} karakter."
    if spec.max_items is not None and len(rows) > spec.max_items:
        return [], f"Paling banyak {spec.max_items} baris."
    return rows, None


def _one(spec: FormField, submitted: MultiDict[str, str]) -> tuple[Any, str | None]:
    """(value or None when left empty, message) of one field."""
    if spec.kind == "checkbox":
        return submitted.get(spec.name) == "ya", None
    if spec.kind in ("list", "attendees"):
        rows, problem = _list(spec, submitted)
        if problem or rows:
            return rows or None, problem
        return None, "Isi paling sedikit satu baris." if spec.required else None
    raw = (submitted.get(spec.name) or "").strip()
    if raw:
        return _scalar(spec, raw)
    if not spec.required:
        return None, None
    return None, ("Pilih salah satu." if spec.kind in ("radio", "select", "user")
                  else "Wajib diisi.")


def parse(fields: list[FormField], submitted: MultiDict[str, str]
          ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(data for the task, messages per field) from the submitted form."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in fields:
        if spec.kind == "file":
            continue  # uploads arrive as files; the page stores them (api/pages/task.py)
        value, problem = _one(spec, submitted)
        if problem:
            errors[spec.name] = [problem]
        elif value is not None:
            data[spec.name] = value
    return data, errors


_SCHEMA_MESSAGES = ((re.compile(r"should be non-empty|is too short"), "Isi paling sedikit satu."),
                    (re.compile(r"does not match"), "Bentuk isian tidak sah."),
                    (re.compile(r"is not of type"), "Jenis isian salah."),
                    (re.compile(r"is too long|expected at most"), "Isian terlalu panjang."))


def _indonesian(message: str) -> str:
    known = {"wajib diisi (required)": "Wajib diisi.", "unknown field": "Isian tidak dikenal."}
    if message in known:
        return known[message]
    return next((text for pattern, text in _SCHEMA_MESSAGES if pattern.search(message)), message)


def messages(errors: dict[str, Any]) -> dict[str, list[str]]:
    """The write side's per-field messages, in Indonesian where we know them."""
    return {name: [_indonesian(str(m)) for m in (v if isinstance(v, list) else [v])]
            for name, v in errors.items()}


PREFILLED_KINDS = frozenset({"text", "textarea", "date", "datetime", "integer", "number",
                             "money", "radio", "select", "user"})


def prefill(fields: list[FormField], known: dict[str, Any]) -> dict[str, str]:
    """What the case already knows for a form's fields (a letter's number and date from its
    registration, say), as the inputs show it, so nobody types it twice; the worker checks and
    corrects it. A step's own note and attachments, and a reporter's identity, never carry
    over."""
    values: dict[str, str] = {}
    for spec in fields:
        value = known.get(spec.name)
        if (spec.kind not in PREFILLED_KINDS or spec.name == NOTE or value is None
                or isinstance(value, bool) or not isinstance(value, str | int | float)):
            continue
        values[spec.name] = format_money(value) if spec.kind == "money" and isinstance(
            value, int) else str(value)
    return values
