"""Public service standards (Keputusan 33/2025): which process delivers a service, and its
deadline rule in working time, chosen from the case's start data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator.engine import expressions
from orchestrator.errors import InvalidInput, InvalidTaskData
from orchestrator.yaml_files import load_yaml


@dataclass(frozen=True)
class Deadline:
    """A service time: working days or working minutes, and the rule it came from."""

    working_days: int = 0
    working_minutes: int = 0
    rule: str = ""


@dataclass(frozen=True)
class StartField:
    """A start-data field the service time depends on: the start must give one of ``values``."""

    name: str
    values: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class ServiceStandard:
    key: str
    name: str
    delivered_by: str | None
    rules: tuple[tuple[str | None, Deadline], ...]
    extensions: tuple[Deadline | None, ...]
    requires: tuple[StartField, ...] = ()

    def deadline_for(self, data: dict[str, Any]) -> tuple[int, Deadline] | None:
        """The first rule whose condition holds for the data (a rule without one always does).

        Refuses (InvalidInput, one message per field) data that lacks a field the service time
        depends on: a missing answer must not silently choose the "otherwise" rule."""
        self.check_start(data)
        for index, (condition, deadline) in enumerate(self.rules):
            if condition is None or _holds(condition, data):
                return index, deadline
        return None

    def extension_for(self, rule_index: int) -> Deadline | None:
        return self.extensions[rule_index] if rule_index < len(self.extensions) else None

    def check_start(self, data: dict[str, Any]) -> None:
        """Every required start field is present with one of its values, or InvalidInput."""
        errors = {f.name: [f"wajib diisi, salah satu dari: {', '.join(f.values)}"
                           + (f" ({f.label})" if f.label else "")]
                  for f in self.requires if data.get(f.name) not in f.values}
        if errors:
            raise InvalidInput(f"the service time of {self.name} depends on "
                               f"{', '.join(errors)}", errors=errors)


def _holds(condition: str, data: dict[str, Any]) -> bool:
    try:
        return bool(expressions.evaluate(condition, data))
    except expressions.UnknownName:
        return False
    except expressions.EvaluationFailed as exc:  # e.g. start data too large to compare
        raise InvalidTaskData(f"service time rule '{condition}' failed: {exc}") from None


def _deadline(entry: dict[str, Any]) -> Deadline:
    # "hari" in the decree without "kerja" is read as working days, as public services count them
    days = int(entry.get("working_days") or entry.get("days") or 0)
    minutes = int(entry.get("minutes") or 0) + 60 * int(entry.get("hours") or 0)
    return Deadline(days, minutes, str(entry.get("when") or entry.get("source") or ""))


def _start_fields(time: dict[str, Any]) -> tuple[StartField, ...]:
    return tuple(StartField(name, tuple(spec["values"]), spec.get("label", ""))
                 for name, spec in (time.get("start_data") or {}).items())


def load_standards(directory: Path) -> dict[str, ServiceStandard]:
    """Service standards keyed by the process key that delivers them.

    A flowchart that continues the service (``service_time.start_data_also_for``) falls under
    it without a service time of its own: it gets the standard's start-data requirements and no
    rules, so a case of it is asked for the same data and gets no deadline."""
    standards = {}
    for path in sorted(directory.glob("service-*.yaml")):
        doc = load_yaml(path)
        time = doc.get("service_time") or {}
        entries = [time["case_deadline"]] if time.get("case_deadline") else time.get("rules", [])
        rules = tuple((e.get("condition"), _deadline(e)) for e in entries
                      if not e.get("applies_to"))
        extensions = tuple(_deadline(e) for e in time.get("extensions", []))
        requires = _start_fields(time)
        standard = ServiceStandard(doc["key"], doc["name"], doc.get("delivered_by"), rules,
                                   extensions, requires)
        if standard.delivered_by:
            standards[standard.delivered_by] = standard
        for key in (time.get("start_data_also_for") or []):
            standards[key] = ServiceStandard(doc["key"], doc["name"], key, (), (), requires)
    return standards
