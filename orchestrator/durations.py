"""How long a step may take in one case: the decree's duration, or the rule for the case's data.

A user task carries the decree's WAKTU text as its ``duration`` property. Where the decree makes
the time depend on the case ("10 hari … atau 3 hari terkait dengan informasi pemilu dan pemilihan
yang sedang berjalan", "3 menit perdata"), the task also carries ``durations``: a JSON list of
rules, tried in order, each ``{"duration": "3 hari", "when": "<condition>", "per": "<count>"}``.
``when`` (optional) is a condition over the case's data and ``per`` (optional) an expression
giving a number of records; both run in the restricted evaluator. The first rule whose
condition holds gives the duration (times ``per``); a condition naming data the case does not
hold is false. When no rule applies, or the rules cannot be read, the ``duration`` text counts;
a rule that applies but whose count is unknown leaves the step without a due time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from orchestrator.engine import expressions
from orchestrator.worktime import Duration, parse_duration

RULE_KEYS = frozenset({"duration", "when", "per"})


def step_duration(properties: Mapping[str, str], data: Mapping[str, Any]) -> Duration | None:
    """The working duration of a step in a case with ``data``; None if the decree gives none."""
    for rule in _rules(properties.get("durations")):
        if _holds(rule.get("when"), data):
            # a per-record time without its count has no due time: never the time of one record
            return _per(rule, data) if rule.get("per") else parse_duration(rule.get("duration"))
    return parse_duration(properties.get("duration"))


_FAILS = (expressions.UnknownName, expressions.UnsafeExpression, TypeError, KeyError, IndexError,
          ValueError, ZeroDivisionError)


def _holds(condition: Any, data: Mapping[str, Any]) -> bool:
    if not condition:
        return True
    try:
        return bool(expressions.evaluate(str(condition), data))
    except _FAILS:
        return False


def _per(rule: Mapping[str, Any], data: Mapping[str, Any]) -> Duration | None:
    duration = parse_duration(rule.get("duration"))
    try:
        count = expressions.evaluate(str(rule["per"]), data)
    except _FAILS:
        return None
    if duration is None or isinstance(count, bool) or not isinstance(count, int | float) \
            or count < 1:
        return None
    return duration.times(round(count))


def _rules(text: str | None) -> list[Mapping[str, Any]]:
    if not text:
        return []
    try:
        rules = json.loads(text)
    except ValueError:
        return []
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []


def rule_errors(text: str) -> list[str]:
    """Why a ``durations`` property cannot be used (empty when it can)."""
    try:
        rules = json.loads(text)
    except ValueError as exc:
        return [f"durations is not JSON: {exc}"]
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        return ["durations must be a list of rules (objects)"]
    errors = []
    for n, rule in enumerate(rules, 1):
        unknown = sorted(set(rule) - RULE_KEYS)
        if unknown:
            errors.append(f"durations rule {n}: unknown keys {unknown}")
        if parse_duration(rule.get("duration")) is None:
            errors.append(f"durations rule {n}: duration {rule.get('duration')!r} is not a time")
        for key in ("when", "per"):
            if rule.get(key):
                try:
                    expressions.parse(str(rule[key]))
                except expressions.UnsafeExpression as exc:
                    errors.append(f"durations rule {n}: {key}: {exc}")
    return errors
