"""Task forms: submitted data checked against the task's JSON Schema, one message per field.

A form is self-contained. jsonschema fetches a ``$ref`` to ``http://…`` or ``file://…`` by
default, on every validation (a request to any host, a local file read, a worker held without
timeout): deploy refuses every reference that is not a local JSON pointer, and every validator
is built on a registry that never retrieves anything, which also covers forms already stored in
old events.
"""

from __future__ import annotations

from typing import Any, NoReturn

import jsonschema
from referencing import Registry
from referencing.exceptions import NoSuchResource, Unresolvable

from orchestrator.errors import InvalidTaskData

REFERENCE_KEYWORDS = ("$ref", "$dynamicRef")


def _never_retrieve(uri: str) -> NoReturn:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs class, untyped here


NO_RETRIEVAL: Registry = Registry(retrieve=_never_retrieve)  # type: ignore[call-arg]


def form_validator(form: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator for a form that resolves only references inside the form itself."""
    return jsonschema.Draft202012Validator(form, registry=NO_RETRIEVAL)


def external_references(form: Any) -> list[str]:
    """Every ``$ref``/``$dynamicRef`` in a form that is not a local JSON pointer (``#…``)."""
    found, stack = [], [form]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in REFERENCE_KEYWORDS and isinstance(value, str) \
                        and not value.startswith("#"):
                    found.append(value)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def validate_form(form: dict[str, Any], data: dict[str, Any]) -> None:
    """Check data against the task's JSON Schema; one message per field."""
    errors: dict[str, list[str]] = {}
    try:
        found = list(form_validator(form).iter_errors(data))
    except Unresolvable as exc:
        raise InvalidTaskData(f"the task's form refers to a schema outside itself ({exc}); "
                              "it cannot be checked") from None
    for error in found:
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
