"""Keeping sensitive processes sensitive: no identity outside the sealed path, and no change
of ``sensitive``/``handling_role`` without an administrator's prior approval of that BPMN.

The sealed path is the start data's ``pelapor``/``pelapor_*`` keys (``sealing.py``). Any other
place where a person's identity could be typed — a task form, completion data, other start
data — would write it in clear into an event, forever; so such forms are refused at deploy and
such data at run time. A field is recognised by its key, its title and its JSON Schema
``format``; the recognition is deliberately broad (a refused field is renamed, a leaked
identity cannot be recalled).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError

from orchestrator.commands import Actor
from orchestrator.definitions import ProcessDefinition
from orchestrator.engine import ProcessModel
from orchestrator.engine.model import ATTACHMENTS
from orchestrator.errors import (
    InvalidDefinition,
    InvalidInput,
    InvalidTaskData,
    StaleCaseVersion,
)
from orchestrator.policy import (
    ensure,
    handling_role_problem,
    may_approve_sensitivity,
    needs_sensitivity_approval,
)
from orchestrator.sealing import is_reporter_key

if TYPE_CHECKING:
    from orchestrator.application import Orchestrator

# words (in keys and titles, Indonesian and English) that name or reach a person
IDENTITY_WORDS = frozenset({
    "nama", "name", "kontak", "contact", "telepon", "telp", "tlp", "phone", "hp", "ponsel",
    "handphone", "whatsapp", "wa", "email", "surel", "mail", "nik", "ktp", "alamat", "address",
    "identitas", "identity", "pelapor", "reporter", "npwp", "nip", "domisili",
})
IDENTITY_FORMATS = frozenset({"email", "idn-email"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD = re.compile(r"[a-z0-9]+")
_IN_LAMPIRAN = re.compile(r"(.*\.)?lampiran\.\d+")  # an item of a ``lampiran`` list
ATTACHMENT_KEYS = frozenset(ATTACHMENTS["items"]["properties"])  # nama, sha256, ukuran


def _words(text: str) -> set[str]:
    return set(_WORD.findall(_CAMEL.sub("_", text).lower()))


def is_identity_key(key: str) -> bool:
    """A data key that names or reaches a person (``pelapor_nama``, ``noHp``, ``e_mail`` …)."""
    words = _words(key)
    return is_reporter_key(key) or bool(words & IDENTITY_WORDS) or {"e", "mail"} <= words


def _is_identity_field(key: str, schema: dict[str, Any]) -> bool:
    title = str(schema.get("title") or "")
    return (is_identity_key(key) or bool(_words(title) & IDENTITY_WORDS)
            or "e-mail" in title.lower() or schema.get("format") in IDENTITY_FORMATS)


def _children(schema: dict[str, Any]) -> Iterator[tuple[str | None, Any]]:
    """Direct subschemas: named ones with their key, the others (items, anyOf …) without."""
    for word in ("properties", "$defs", "definitions", "patternProperties"):
        yield from (schema.get(word) or {}).items()
    for word in ("items", "additionalProperties", "not", "if", "then", "else"):
        yield None, schema.get(word)
    for word in ("anyOf", "oneOf", "allOf", "prefixItems"):
        yield from ((None, sub) for sub in schema.get(word) or [])


def _subschemas(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, schema) of every named property, at any depth (objects, arrays, combinators)."""
    for key, sub in _children(schema):
        if not isinstance(sub, dict):
            continue
        if key is not None:
            yield key, sub
        if not _is_attachment_list(key, sub):  # file references, not people
            yield from _subschemas(sub)


def _is_attachment_list(key: str | None, schema: dict[str, Any]) -> bool:
    """The standard ``lampiran`` list (whatever its title, bounds or decree quote)."""
    return key == "lampiran" and schema.get("items") == ATTACHMENTS["items"]


def identity_fields(form: dict[str, Any]) -> list[str]:
    """The fields of a task form that would collect someone's identity."""
    return sorted({key for key, sub in _subschemas(form) if _is_identity_field(key, sub)})


def deploy_errors(model: ProcessModel) -> list[str]:
    """Why a sensitive process cannot be deployed as it is (empty when it can)."""
    if not model.sensitive:
        return []
    errors = [f"{element}: form field '{name}' collects an identity outside the sealed path"
              f" (only start-data keys pelapor/pelapor_* are sealed); remove or rename it"
              for element, task in sorted(model.tasks.items())
              for name in identity_fields(task["form"])]
    if model.handling_role is not None:
        problem = handling_role_problem(model.handling_role, model)
        if problem:
            errors.append(f"handling_role '{model.handling_role}': {problem}")
    return errors


def identity_keys(data: Any, path: str = "") -> list[str]:
    """Keys of submitted data (at any depth) that carry an identity; file references aside."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            reference = key in ATTACHMENT_KEYS and _IN_LAMPIRAN.fullmatch(path)
            if is_identity_key(str(key)) and not reference:
                found.append(here)
            found += identity_keys(value, here)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += identity_keys(value, f"{path}.{index}" if path else str(index))
    return found


def ensure_no_identity_in_start(data: dict[str, Any]) -> None:
    """Start data of a sensitive case (reporter keys already split off) names nobody."""
    keys = identity_keys(data)
    if keys:
        raise InvalidInput("identity data outside the sealed path", errors={
            k: ["looks like a person's identity: send it as pelapor_<field> to be sealed"]
            for k in keys})


def ensure_no_identity_in_completion(data: dict[str, Any]) -> None:
    """Completion data of a sensitive case is never sealed: it may name nobody."""
    keys = identity_keys(data)
    if keys:
        raise InvalidTaskData("identity data in a sensitive case", errors={
            k: ["identitas tidak boleh dicatat di langkah ini (hanya tersegel saat pelaporan)"]
            for k in keys})


# -- approvals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    sensitive: bool
    handling_role: str | None

    @classmethod
    def of(cls, model: ProcessModel | None) -> Sensitivity:
        return cls(model.sensitive, model.handling_role) if model else cls(False, None)


def ensure_deployable(definition: ProcessDefinition, previous: ProcessModel | None,
                      model: ProcessModel, actor: Actor) -> None:
    """Refuse identity fields, a bad handling role, dropped sealing, or an unapproved change."""
    errors = deploy_errors(model)
    old, new = Sensitivity.of(previous), Sensitivity.of(model)
    if old.sensitive and not new.sensitive:
        errors.append("the deployed version is sensitive (sensitive=true); a new version must"
                      " keep that process property (sealed reports exist under it)")
    elif old != new and needs_sensitivity_approval(actor):
        errors += _approval_errors(definition, old, new, model.sha256, actor)
    if errors:
        raise InvalidDefinition(f"{model.key}: {'; '.join(errors)}", errors=errors)


def _approval_errors(definition: ProcessDefinition, old: Sensitivity, new: Sensitivity,
                     sha256: str, actor: Actor) -> list[str]:
    matching = [a for a in definition.sensitivity_approvals
                if a["sha256"] == sha256 and a["sensitive"] == new.sensitive
                and a["handling_role"] == new.handling_role
                and a["previous_sensitive"] == old.sensitive
                and a["previous_handling_role"] == old.handling_role]
    if not matching:
        return [f"changing sensitive/handling_role ({old.sensitive}/{old.handling_role} →"
                f" {new.sensitive}/{new.handling_role}) needs an administrator's approval of"
                f" this BPMN (sha256 {sha256}) first"]
    if all(a["approver"] == actor.username for a in matching):
        return [f"four eyes: {actor.username} approved this change and may not deploy it too"]
    return []


def approve(app: Orchestrator, key: str, sha256: str, sensitive: bool,
            handling_role: str | None, actor: Actor) -> dict[str, Any]:
    """Record an administrator's approval of exactly one BPMN's sensitivity change."""
    ensure(may_approve_sensitivity(actor),
           f"{actor.username} may not approve sensitivity changes (administrators only)")
    definition = app.definition(key)
    current, _ = app.model(key)
    problem = _approval_problem(sensitive, handling_role, current)
    if problem:
        raise InvalidInput(problem, errors={"handling_role": [problem]})
    definition.approve_sensitivity(
        sha256=sha256, sensitive=sensitive, handling_role=handling_role if sensitive else None,
        previous_sensitive=current.sensitive, previous_handling_role=current.handling_role,
        approver=actor.username, approved_at=datetime.now(UTC).isoformat())
    try:
        app.save(definition)
    except IntegrityError:
        raise StaleCaseVersion("the process changed at the same time; try again") from None
    return definition.sensitivity_approvals[-1]


def _approval_problem(sensitive: bool, role: str | None, current: ProcessModel) -> str | None:
    if not sensitive:
        return "a sensitive process stays sensitive; only handling_role may change"
    if not role:
        return "a sensitive process needs a handling_role"
    return handling_role_problem(role, current)
