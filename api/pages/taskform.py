"""A task's JSON Schema ``form`` as HTML fields, and the submitted form back into data.

Decisions (``enum``) are radio buttons labelled from ``x-enumLabels``; long or unbounded text
is a text area; numbers, booleans and dates get their own inputs. ``lampiran`` (attachments)
is never a typed field: the page stores uploads and adds their references when the form
accepts that key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

ATTACHMENTS = "lampiran"
LONG_TEXT = 200


@dataclass(frozen=True)
class FormField:
    """One input of a task form."""

    name: str
    label: str
    kind: str  # radio | textarea | text | integer | number | checkbox | date | select
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    description: str = ""
    default: Any = None


def _kind(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return "radio" if len(spec["enum"]) <= 6 else "select"
    kind = spec.get("type", "string")
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return str(kind)
    if kind == "string" and spec.get("format") == "date":
        return "date"
    if kind == "string":
        limit = spec.get("maxLength")
        return "text" if limit is not None and limit <= LONG_TEXT else "textarea"
    return "unsupported"


def form_fields(form: dict[str, Any]) -> list[FormField]:
    """The inputs of a form, decisions first (they are what the step is for)."""
    required = set(form.get("required", []))
    found = []
    for name, spec in (form.get("properties") or {}).items():
        kind = _kind(spec)
        if name == ATTACHMENTS or kind == "unsupported":
            continue
        labels = spec.get("x-enumLabels") or {}
        options = [(str(v), str(labels.get(v, v))) for v in spec.get("enum", [])]
        found.append(FormField(name, str(spec.get("title") or name.replace("_", " ").title()),
                               kind, name in required, options, spec.get("maxLength"),
                               str(spec.get("description") or ""), spec.get("default")))
    return sorted(found, key=lambda f: f.kind not in ("radio", "select"))


def accepts_attachments(form: dict[str, Any]) -> bool:
    """Whether completion data may carry ``lampiran`` under this form's own rules."""
    if ATTACHMENTS in (form.get("properties") or {}):
        return True
    return form.get("additionalProperties", True) is not False


def _number(raw: str, kind: str) -> int | float:
    return int(raw) if kind == "integer" else float(raw.replace(",", "."))


def parse(fields: list[FormField], submitted: MultiDict[str, str]
          ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(data for the task, messages per field) from the submitted form."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in fields:
        if spec.kind == "checkbox":
            data[spec.name] = submitted.get(spec.name) == "ya"
            continue
        raw = (submitted.get(spec.name) or "").strip()
        if not raw:
            if spec.required:
                errors[spec.name] = ["Wajib diisi." if spec.kind not in ("radio", "select")
                                     else "Pilih salah satu."]
            continue
        if spec.max_length is not None and len(raw) > spec.max_length:
            errors[spec.name] = [f"Paling banyak {spec.max_length} karakter."]
        elif spec.options and raw not in {value for value, _ in spec.options}:
            errors[spec.name] = ["Pilihan tidak dikenal."]
        elif spec.kind in ("integer", "number"):
            try:
                data[spec.name] = _number(raw, spec.kind)
            except ValueError:
                errors[spec.name] = ["Harus berupa angka."]
        else:
            data[spec.name] = raw
    return data, errors


def messages(errors: dict[str, Any]) -> dict[str, list[str]]:
    """The write side's per-field messages, in Indonesian where we know them."""
    known = {"wajib diisi (required)": "Wajib diisi.", "unknown field": "Isian tidak dikenal."}
    return {name: [known.get(str(m), str(m)) for m in (v if isinstance(v, list) else [v])]
            for name, v in errors.items()}
