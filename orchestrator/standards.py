"""Public service standards (Keputusan 33/2025): which process delivers a service, and its
deadline rule in working time, chosen from the case's start data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from orchestrator.engine import expressions
from orchestrator.errors import InvalidTaskData


@dataclass(frozen=True)
class Deadline:
    """A service time: working days or working minutes, and the rule it came from."""

    working_days: int = 0
    working_minutes: int = 0
    rule: str = ""


@dataclass(frozen=True)
class ServiceStandard:
    key: str
    name: str
    delivered_by: str | None
    rules: tuple[tuple[str | None, Deadline], ...]
    extensions: tuple[Deadline | None, ...]

    def deadline_for(self, data: dict[str, Any]) -> tuple[int, Deadline] | None:
        """The first rule whose condition holds for the data (a rule without one always does)."""
        for index, (condition, deadline) in enumerate(self.rules):
            if condition is None or _holds(condition, data):
                return index, deadline
        return None

    def extension_for(self, rule_index: int) -> Deadline | None:
        return self.extensions[rule_index] if rule_index < len(self.extensions) else None


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


def load_standards(directory: Path) -> dict[str, ServiceStandard]:
    """Service standards keyed by the process key that delivers them."""
    standards = {}
    for path in sorted(directory.glob("service-*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        time = doc.get("service_time") or {}
        entries = [time["case_deadline"]] if time.get("case_deadline") else time.get("rules", [])
        rules = tuple((e.get("condition"), _deadline(e)) for e in entries
                      if not e.get("applies_to"))
        extensions = tuple(_deadline(e) for e in time.get("extensions", []))
        standard = ServiceStandard(doc["key"], doc["name"], doc.get("delivered_by"), rules,
                                   extensions)
        if standard.delivered_by:
            standards[standard.delivered_by] = standard
    return standards
