"""Task forms: submitted data checked against the task's JSON Schema, one message per field."""

from __future__ import annotations

from typing import Any

import jsonschema

from orchestrator.errors import InvalidTaskData


def validate_form(form: dict[str, Any], data: dict[str, Any]) -> None:
    """Check data against the task's JSON Schema; one message per field."""
    validator = jsonschema.Draft202012Validator(form)
    errors: dict[str, list[str]] = {}
    for error in validator.iter_errors(data):
        if error.validator == "required" and not error.absolute_path:  # nested: by path below
            for name in form.get("required", []):
                if name not in data:
                    errors.setdefault(name, []).append("wajib diisi (required)")
            continue
        if error.validator == "additionalProperties":
            for name in sorted(set(data) - set(form.get("properties", {}))):
                errors.setdefault(name, []).append("unknown field")
            continue
        field = ".".join(str(p) for p in error.absolute_path) or "_schema"
        errors.setdefault(field, []).append(error.message)
    if errors:
        raise InvalidTaskData("data does not match the task's form", errors=errors)
