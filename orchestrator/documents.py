"""Letter templates: which SOP step produces which letter (surat keluar, nota dinas, berita
acara, surat jawaban PPID, surat keputusan), and the letter filled from a case's data.

``processes/templates/templates.yaml`` is the catalogue (its head comment is the format). A
template names a register of documents (``registers.yaml``, ``documents: true``) that numbers
its letters; :mod:`orchestrator.letters` renders a filled :class:`Letter` as DOCX or PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from orchestrator.registration import Registers
from orchestrator.yaml_files import load_yaml

FORMATS = ("docx", "pdf")
LAYOUTS = ("surat", "naskah")
BLANK = "...................."
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
_FIELD = re.compile(r"\{([^{}]+)\}")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Template:
    """One letter: its register, the steps that produce it, and its text with fields."""

    key: str
    name: str
    register: str
    layout: str
    steps: tuple[tuple[str, str], ...]  # (process key, BPMN element id)
    body: tuple[str, ...]
    rows: tuple[tuple[str, str], ...] = ()
    recipient: tuple[str, ...] = ()
    title: str = ""
    subtitle: str = ""
    number_label: str = "Nomor"
    place_date: str = "Bontang, {tanggal}"
    signer: str = ""

    def produced_at(self, process: str, element_id: str) -> bool:
        return (process, element_id) in self.steps


@dataclass(frozen=True)
class Letter:
    """A template filled for one case: every text final, ready to render."""

    template: str
    name: str
    layout: str
    letterhead: tuple[str, ...]
    number: str
    title: str
    subtitle: str
    number_label: str
    rows: tuple[tuple[str, str], ...]
    recipient: tuple[str, ...]
    body: tuple[str, ...]
    place_date: str
    signer: str


class Templates:
    """The template catalogue, checked against the registers at load."""

    def __init__(self, templates: list[Template], letterhead: tuple[str, ...] = (),
                 registers: Registers | None = None) -> None:
        self.by_key = {t.key: t for t in templates}
        self.letterhead = letterhead
        _check(templates, registers)

    def get(self, key: str) -> Template | None:
        return self.by_key.get(key)

    def for_step(self, process: str, element_id: str) -> list[Template]:
        """The templates this step produces (none for most steps)."""
        return [t for t in self.by_key.values() if t.produced_at(process, element_id)]

    @classmethod
    def load(cls, directory: Path, registers: Registers | None = None) -> Templates:
        path = directory / "templates.yaml"
        if not path.exists():
            return cls([])
        doc: dict[str, Any] = load_yaml(path) or {}
        return cls([_template(t) for t in doc.get("templates") or []],
                   tuple(doc.get("letterhead") or ()), registers)


def _template(raw: dict[str, Any]) -> Template:
    steps = tuple((str(s["process"]), f"Task_{s['step']}") for s in raw.get("steps") or [])
    return Template(
        key=raw["key"], name=raw["name"], register=raw["register"],
        layout=raw.get("layout", "surat"), steps=steps, body=tuple(raw.get("body") or ()),
        rows=tuple((str(label), str(text)) for label, text in raw.get("rows") or []),
        recipient=tuple(raw.get("recipient") or ()), title=raw.get("title") or "",
        subtitle=raw.get("subtitle") or "", number_label=raw.get("number_label") or "Nomor",
        place_date=raw.get("place_date") or "Bontang, {tanggal}", signer=raw.get("signer") or "")


def _check(templates: list[Template], registers: Registers | None) -> None:
    """Each template numbers from a register of documents and has a known layout."""
    for template in templates:
        if template.layout not in LAYOUTS:
            raise ValueError(f"template {template.key}: layout must be one of {LAYOUTS}")
        if registers is not None and registers.of_documents(template.register) is None:
            raise ValueError(f"template {template.key}: '{template.register}' is no register "
                             "of documents (registers.yaml, documents: true)")
        for text in (*template.body, *template.recipient, template.subtitle, template.signer,
                     *(t for _, t in template.rows)):
            for field in _FIELD.findall(text):
                _alternatives(field)  # raises on a malformed field


def _alternatives(field: str) -> tuple[list[str], str | None]:
    """``a|b|'teks'`` → (["a", "b"], "teks"); a default only last."""
    names, default = [], None
    parts = [p.strip() for p in field.split("|")]
    for i, part in enumerate(parts):
        if len(part) >= 2 and part[0] == part[-1] == "'" and i == len(parts) - 1:
            default = part[1:-1]
        elif _NAME.fullmatch(part):
            names.append(part)
        else:
            raise ValueError(f"template field {{{field}}}: '{part}' is neither a data name "
                             "nor a quoted default (last)")
    return names, default


def fill_text(text: str, context: dict[str, str]) -> str:
    """Every ``{a|b|'default'}`` of ``text`` by the first filled name, else the default, else
    a dotted line (to fill in by hand)."""
    def one(match: re.Match[str]) -> str:
        names, default = _alternatives(match.group(1))
        for name in names:
            if context.get(name):
                return context[name]
        return BLANK if default is None else default
    return _FIELD.sub(one, text)


def tanggal(day: date) -> str:
    """``3 Maret 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def shown_value(value: Any, labels: dict[Any, Any] | None = None) -> str:
    """A data value as a letter writes it: answers by their labels, dates in words, lists
    joined (attendees by name); attachments and other structures not at all."""
    if labels and isinstance(value, str | int) and value in labels:
        value = labels[value]
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return tanggal(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list):
        names = [v if isinstance(v, str) else v.get("nama") if isinstance(v, dict) else None
                 for v in value]
        return ", ".join(str(n) for n in names) if all(names) else ""
    return ""


def fill(template: Template, context: dict[str, str], number: str, letterhead: tuple[str, ...],
         now: datetime) -> Letter:
    """The letter of ``template`` for a case whose data (as shown) is ``context``."""
    context = {**context, "nomor": number, "tanggal": tanggal(now.date()),
               "tahun": str(now.year)}
    def f(text: str) -> str:
        return fill_text(text, context)
    return Letter(
        template=template.key, name=template.name, layout=template.layout,
        letterhead=letterhead, number=number, title=f(template.title),
        subtitle=f(template.subtitle), number_label=template.number_label,
        rows=tuple((label, f(text)) for label, text in template.rows),
        recipient=tuple(line for line in (f(r) for r in template.recipient) if line.strip()),
        body=tuple(f(p) for p in template.body), place_date=f(template.place_date),
        signer=f(template.signer))


def file_name(letter: Letter, fmt: str) -> str:
    """``surat-keluar-12-PY.02.1-SD-6474-III-2026.docx``: the template and the number."""
    number = re.sub(r"[^0-9A-Za-z.-]+", "-", letter.number).strip("-")
    return f"{letter.template}-{number}.{fmt}"
