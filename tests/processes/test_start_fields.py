"""Every flowchart's start form asks for what its first rows (or its register, or its service
standard) name, each field quoting the words it comes from; the BPMN carries exactly what the
scaffolder makes of the catalogue; the service standards' start data are start-form fields."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
import yaml

from orchestrator.engine.model import _process_properties, _safe_root, _the_process
from orchestrator.registration import Registers
from orchestrator.standards import load_standards
from projections.inbox import SUBJECT_KEYS
from tests.processes.catalogue import ROOT, flowcharts, printed
from tests.processes.decree import STANDARDS, squash

sys.path.insert(0, str(ROOT.parent / "tools"))
import catalogue_to_bpmn

CHARTS = flowcharts()
CELLS = {"activity", "requirements", "output", "remarks"}


def _docs() -> dict[str, dict[str, Any]]:
    """The SOP (or service) document of each flowchart."""
    found = {}
    for path in sorted(ROOT.glob("catalogue/*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for chart in doc.get("flowcharts") or []:
            found[chart["key"]] = doc
    return found


DOCS = _docs()


def _cell(key: str, quote: dict[str, str]) -> str:
    """The text a quote cites: a row's cell, the flowchart's title or lanes, the SOP's name,
    legal basis or records, or the service standard (Keputusan 33/2025)."""
    chart, doc = CHARTS[key], DOCS[key]
    column = quote["column"]
    if column in CELLS:
        rows = [r for r in chart["rows"] if printed(r) == quote["row"]]
        assert rows, f"{key}: no row {quote['row']!r}"
        return " ".join(str(r.get(column) or "") for r in rows)
    texts = {"title": chart.get("title", ""),
             "lanes": " ".join(chart.get("lanes_as_written") or []),
             "name": f"{chart.get('name') or ''} {doc['name']}",
             "legal_basis": " ".join(doc.get("legal_basis") or []),
             "records": str(doc.get("records") or "")}
    if column == "standard":
        return STANDARDS.read_text(encoding="utf-8")
    assert column in texts, f"{key}: unknown quote column {column!r}"
    return texts[column]


@pytest.mark.parametrize("key", sorted(CHARTS))
def test_every_start_field_quotes_the_decree(key: str) -> None:
    fields = CHARTS[key].get("start_fields")
    assert fields, f"{key}: no start_fields"
    for field in fields:
        quotes = catalogue_to_bpmn.quotes(field)
        assert quotes, f"{key}.{field['name']}: no decree quote"
        for quote in quotes:
            cell = squash(_cell(key, quote)).casefold()
            assert squash(quote["text"]).casefold() in cell, \
                f"{key}.{field['name']}: {quote['text']!r} is not in {quote['column']}"


@pytest.mark.parametrize("key", sorted(CHARTS))
def test_the_bpmn_carries_the_catalogue_start(key: str) -> None:
    path = next(p for p in ROOT.glob("bpmn/*.bpmn") if f'process id="{key}"' in p.read_text())
    props = _process_properties(_the_process(_safe_root(path.read_bytes()), key))
    expected = catalogue_to_bpmn.start_properties(CHARTS[key])
    assert json.loads(props["start_form"]) == json.loads(expected["start_form"])
    assert props["starters"] == expected["starters"]
    assert props.get("purpose") == CHARTS[key]["purpose"]


@pytest.mark.parametrize("key", sorted(CHARTS))
def test_a_start_names_its_subject_and_is_started_by_a_lane(key: str) -> None:
    """The inbox's and the register's subject comes from the start form; a starter other than
    the first row's lane says why."""
    chart = CHARTS[key]
    form = catalogue_to_bpmn.start_form(chart)
    subjects = [k for k in SUBJECT_KEYS if k in form["required"]]
    assert subjects, f"{key}: no required subject field ({', '.join(SUBJECT_KEYS)})"
    lanes = {r["lane"] for r in chart["rows"]}
    for starter in chart.get("starters") or []:
        assert starter in lanes, f"{key}: starter {starter} is not a lane"
    if chart.get("starters"):
        assert chart["rows"][0]["lane"] in chart["starters"]
        assert chart.get("starters_reason"), f"{key}: starters without a reason"


def test_the_service_times_start_data_are_start_form_fields() -> None:
    """One definition: the field a service time depends on is a required enum of the start
    form with exactly the standard's values (the form refuses before the rule would)."""
    standards = load_standards(ROOT / "catalogue")
    checked = 0
    for key, standard in standards.items():
        form = catalogue_to_bpmn.start_form(CHARTS[key])
        for field in standard.requires:
            assert field.name in form["required"], f"{key}: {field.name} not required"
            assert tuple(form["properties"][field.name]["enum"]) == field.values
            checked += 1
    assert checked >= 2  # sop_9_22 and sop_9_22_c


def test_every_register_names_deployed_processes_and_quotes_the_decree() -> None:
    registers = Registers.load(ROOT / "catalogue")
    assert {"surat-masuk", "surat-keluar", "pengaduan", "permohonan-informasi"} <= \
        set(registers.named)
    for register in registers.named.values():
        assert set(register.processes) <= set(CHARTS), register.key
        assert register.decree, f"{register.key}: no decree quote"
        for quote in register.decree:
            cell = squash(_cell(quote["flowchart"], quote)).casefold()
            assert squash(quote["text"]).casefold() in cell, f"{register.key}: {quote['text']}"
    assert registers.for_process("sop_9_22_b").key == "permohonan-informasi"
    assert registers.for_process("sop_9_7").key == "sop_9_7"  # its own numbering


def test_register_formats_are_configurable_and_never_collide() -> None:
    from orchestrator.registration import Register

    agenda = Register("sm", "Agenda", ("sop_9_14",), "{number:03d}/SM/{month_roman}/{year}")
    assert agenda.number("sop_9_14", 2025, 7, 3) == "007/SM/III/2025"
    with pytest.raises(ValueError, match="number"):
        Registers([Register("x", "X", ("sop_9_14",), "SM/{year}")])
    with pytest.raises(ValueError, match="registers"):
        Registers([agenda, Register("y", "Y", ("sop_9_14",))])
    with pytest.raises(ValueError, match="look like"):
        Registers([Register("a", "A", ("sop_9_1",), "X/{number}/{year}"),
                   Register("b", "B", ("sop_9_2",), "X/{number}/{year}")])


