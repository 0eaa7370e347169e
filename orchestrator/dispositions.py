"""Dispositions from forms: a user field names an official, a later step goes to them.

A form field ``{"type": "string", "x-alur-widget": "user", "x-alur-lanes": [role, …]}``
holds a username (9.14 row 4, "disposisi kepada"); a task property ``assign_from`` (with
``instruction_from``) disposes that step, when it activates, to the user an earlier step named.
Deploy checks the wiring here; completion checks the named user (the application service).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orchestrator.roles import RoleRegistry

USER_WIDGET = "user"


def user_fields(form: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The form's fields that name a user, by field name."""
    return {name: spec for name, spec in (form.get("properties") or {}).items()
            if isinstance(spec, dict) and spec.get("x-alur-widget") == USER_WIDGET}


def field_lanes(spec: dict[str, Any]) -> list[str]:
    lanes = spec.get("x-alur-lanes")
    return [str(lane) for lane in lanes] if isinstance(lanes, list) else []


def user_lanes_as_role_keys(form: dict[str, Any], roles: RoleRegistry) -> dict[str, Any]:
    """The form with every user field's ``x-alur-lanes`` as role keys: the modeler's form
    editor writes the lanes' names ("Sekretaris"), the catalogue writes keys ("sekretaris");
    a name the registry knows becomes its key, anything else is left for deploy to refuse."""
    fields = user_fields(form)
    if not fields:
        return form
    properties = dict(form.get("properties") or {})
    for name, spec in fields.items():
        keys = [lane if lane in roles.roles else (roles.key_for_lane(lane) or lane)
                for lane in field_lanes(spec)]
        if keys != field_lanes(spec):
            properties[name] = {**spec, "x-alur-lanes": keys}
    return {**form, "properties": properties}


def assignment_errors(tasks: dict[str, dict[str, Any]], edges: Iterable[tuple[str, str]],
                      roles: RoleRegistry) -> list[str]:
    """Why the user fields and ``assign_from`` wiring of these tasks cannot be deployed."""
    errors = []
    for element_id, task in tasks.items():
        errors += [f"{element_id}: {problem}" for name, spec in user_fields(task["form"]).items()
                   for problem in _field_problems(name, spec, roles)]
    incoming: dict[str, set[str]] = {}
    for source, target in edges:
        incoming.setdefault(target, set()).add(source)
    for element_id, task in tasks.items():
        props = task["properties"]
        if props.get("assign_from") or props.get("instruction_from"):
            earlier = {e: tasks[e] for e in _upstream(element_id, incoming) if e in tasks}
            errors += [f"{element_id}: {p}"
                       for p in _wiring_problems(props, task["lane"], earlier, roles)]
    return errors


def _field_problems(name: str, spec: dict[str, Any], roles: RoleRegistry) -> list[str]:
    lanes = field_lanes(spec)
    if spec.get("type") != "string":
        return [f"user field '{name}' must be a string (a username)"]
    if not lanes:
        return [f"user field '{name}' needs x-alur-lanes: the roles its user must hold"]
    unknown = [lane for lane in lanes if lane not in roles.roles]
    return [f"user field '{name}': x-alur-lanes names unknown roles {unknown}"] if unknown else []


def _wiring_problems(props: dict[str, str], lane: str, earlier: dict[str, dict[str, Any]],
                     roles: RoleRegistry) -> list[str]:
    source, instruction = props.get("assign_from", ""), props.get("instruction_from", "")
    if not source:
        return ["instruction_from without assign_from"]
    fields = {name: spec for task in earlier.values()
              for name, spec in user_fields(task["form"]).items()}
    if source not in fields:
        return [f"assign_from '{source}' is not a user field of an earlier step"]
    problems = []
    # whoever the field may name must be able to hold this step: every member of every
    # role it allows must hold the step's lane
    uncovered = [r for r in field_lanes(fields[source])
                 if any(lane not in roles.expand({m}) for m in roles.members(r))]
    if uncovered:
        problems.append(f"assign_from '{source}' may name holders of {uncovered}, "
                        f"who do not hold this step's lane '{lane}'")
    texts = {name for task in earlier.values()
             for name, spec in (task["form"].get("properties") or {}).items()
             if isinstance(spec, dict) and spec.get("type") == "string"}
    if instruction and instruction not in texts:
        problems.append(f"instruction_from '{instruction}' is not a text field of an earlier step")
    return problems


def _upstream(element_id: str, incoming: dict[str, set[str]]) -> set[str]:
    """Every element from which a path leads to this one (itself only through a loop)."""
    seen: set[str] = set()
    todo = list(incoming.get(element_id, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(incoming.get(node, ()))
    return seen - {element_id}


def user_problem(username: str, lanes: list[str], active: bool | None,
                 held: frozenset[str]) -> str | None:
    """Why ``username`` cannot be named in a user field allowing ``lanes`` (None: it can).
    ``active`` is None for a user who does not exist; ``held`` are their (expanded) roles."""
    if active is None:
        return f"no user '{username}'"
    if not active:
        return f"user '{username}' is disabled"
    if not set(lanes) & held:
        return f"user '{username}' holds none of the roles {lanes}"
    return None
