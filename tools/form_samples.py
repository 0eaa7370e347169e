"""Valid example data for a task's form (a JSON Schema): what a test or a benchmark sends to
complete a step without knowing the step.

Deterministic and small on purpose: every required property gets the simplest value its
schema allows (the first enum value, the minimum, one list item, one attachment reference);
``complete=True`` fills the optional ones too. It covers the vocabulary the scaffolder writes
(tools/catalogue_to_bpmn.py) and plain JSON Schema types; a schema it cannot satisfy raises.
"""

from __future__ import annotations

from typing import Any

DOCUMENT = {"nama": "contoh.pdf", "sha256": "0" * 64, "ukuran": 1}
EXAMPLE_DATE = "2025-01-09"
EXAMPLE_DATETIME = "2025-01-09T10:00:00+08:00"


def sample(form: dict[str, Any], complete: bool = False,
           overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Data that satisfies ``form``: its required properties (all with ``complete``), then
    ``overrides`` (a decision's answer, say) on top."""
    properties = form.get("properties") or {}
    wanted = list(properties) if complete else list(form.get("required") or [])
    data = {name: value(properties.get(name) or {}, name) for name in wanted}
    return {**data, **(overrides or {})}


def value(schema: dict[str, Any], name: str = "") -> Any:
    """The simplest value ``schema`` accepts."""
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "string")
    makers = {"string": _string, "integer": _number, "number": _number, "array": _array,
              "boolean": lambda _s, _n: True, "object": _object}
    if kind not in makers:
        raise ValueError(f"{name}: no example for a schema of type {kind!r}")
    return makers[kind](schema, name)


def _number(schema: dict[str, Any], _name: str) -> int:
    low = schema.get("minimum", 0)
    return max(low, 1) if schema.get("maximum", 1) >= 1 else low


def _object(schema: dict[str, Any], _name: str) -> dict[str, Any]:
    return sample(schema) if schema.get("properties") else {}


def _string(schema: dict[str, Any], name: str) -> str:
    if schema.get("format") == "date":
        return EXAMPLE_DATE
    if schema.get("format") == "date-time":
        return EXAMPLE_DATETIME
    if "pattern" in schema:
        raise ValueError(f"{name}: no example for the pattern {schema['pattern']!r}")
    if schema.get("x-alur-widget") == "user":
        return "contoh-pengguna"
    text = f"Contoh {name.replace('_', ' ')}".strip()
    low, high = schema.get("minLength", 0), schema.get("maxLength", len(text))
    return (text + "x" * max(0, low - len(text)))[:high]


def _array(schema: dict[str, Any], name: str) -> list[Any]:
    items = schema.get("items") or {}
    if name == "lampiran" or set(items.get("required") or []) == {"nama", "sha256", "ukuran"}:
        return [dict(DOCUMENT)] * max(1, schema.get("minItems", 0))
    return [value(items, name) for _ in range(max(1, schema.get("minItems", 0)))]
