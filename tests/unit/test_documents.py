"""Letter templates: the catalogue names real steps and registers of documents, every template
fills and renders as a DOCX and a PDF that python-docx and pypdf read back, numbers follow the
office's pattern, and a malformed template is refused at load."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import docx
import pypdf
import pytest
import yaml

from orchestrator.documents import BLANK, Template, Templates, fill, fill_text, shown_value
from orchestrator.letters import render
from orchestrator.registration import Register, Registers

ROOT = Path(__file__).resolve().parents[2] / "processes"
REGISTERS = Registers.load(ROOT / "catalogue")
TEMPLATES = Templates.load(ROOT / "templates", REGISTERS)
NOW = datetime(2026, 3, 3, 9, 30)


def _catalogue_steps() -> set[tuple[str, str]]:
    steps = set()
    for path in (ROOT / "catalogue").glob("sop-*.yaml"):
        for chart in yaml.safe_load(path.read_text())["flowcharts"]:
            steps |= {(chart["key"], f"Task_{row['step']}") for row in chart["rows"]}
    return steps


def test_the_five_letters_of_the_sops_are_there_on_real_steps() -> None:
    assert set(TEMPLATES.by_key) == {"surat-keluar", "nota-dinas", "berita-acara",
                                     "surat-jawaban-ppid", "surat-keputusan"}
    known = _catalogue_steps()
    for template in TEMPLATES.by_key.values():
        assert template.steps, template.key
        assert set(template.steps) <= known, template.key
        assert REGISTERS.of_documents(template.register), template.key
    assert [t.key for t in TEMPLATES.for_step("sop_9_13", "Task_2")] == ["surat-keluar"]
    assert [t.key for t in TEMPLATES.for_step("sop_9_1", "Task_11")] == ["surat-keputusan"]
    assert TEMPLATES.for_step("sop_9_13", "Task_6") == []


def test_the_office_pattern_numbers_with_roman_months() -> None:
    register = REGISTERS.of_documents("naskah-surat-keluar")
    assert register is not None
    assert register.number("sop_9_13", 2026, 12, 3) == "12/PY.02.1-SD/6474/III/2026"
    agenda = Register("x", "X", (), "{no:03d}/ND/{bulan}/{tahun}", documents=True)
    assert agenda.number("", 2025, 7, 11) == "007/ND/11/2025"
    assert REGISTERS.of_documents("surat-keluar") is None  # a register of cases
    with pytest.raises(ValueError, match="documents"):
        Registers([Register("y", "Y", ("sop_9_13",), "{no}/{tahun}", documents=True)])
    with pytest.raises(ValueError, match="taken"):
        Registers([Register("z", "Z", (), "{no}/A/{tahun}", documents=True),
                   Register("z", "Z", (), "{no}/B/{tahun}", documents=True)])


@pytest.mark.parametrize("key", sorted(TEMPLATES.by_key))
def test_every_template_renders_as_docx_and_pdf(key: str) -> None:
    template = TEMPLATES.get(key)
    assert template is not None
    letter = fill(template, {"perihal": "Rapat koordinasi", "judul": "Pembentukan Tim",
                             "pemohon_nama": "Andi", "subjek": "Data pemilih"},
                  "7/X/6474/III/2026", TEMPLATES.letterhead, NOW)
    word = docx.Document(io.BytesIO(render(letter, "docx")))
    text = "\n".join([p.text for p in word.paragraphs] +
                     [c.text for t in word.tables for r in t.rows for c in r.cells])
    page = pypdf.PdfReader(io.BytesIO(render(letter, "pdf"))).pages[0].extract_text()
    for shown in (text, page):
        assert "KOMISI PEMILIHAN UMUM" in shown and "KOTA BONTANG" in shown
        assert "7/X/6474/III/2026" in shown
    assert "3 Maret 2026" in text
    assert word.core_properties.subject == "7/X/6474/III/2026"


def test_fields_take_the_first_filled_name_then_the_default_else_a_line() -> None:
    context = {"perihal": "Undangan", "kosong": ""}
    assert fill_text("{perihal_surat|perihal}", context) == "Undangan"
    assert fill_text("{kosong|'-'}", context) == "-"
    assert fill_text("Yth. {tujuan}", context) == f"Yth. {BLANK}"
    assert shown_value("2026-03-03") == "3 Maret 2026"
    assert shown_value("segera", {"segera": "Segera"}) == "Segera"
    assert shown_value([{"nama": "Andi", "jabatan": "Staf"}, {"nama": "Budi"}]) == "Andi, Budi"
    assert shown_value([{"nama": "a.pdf", "sha256": "0" * 64}]) == "a.pdf"
    assert shown_value({"x": 1}) == ""


def test_a_malformed_template_is_refused_at_load() -> None:
    good = {"key": "t", "name": "T", "register": "nota-dinas", "layout": "naskah",
            "steps": ((("sop_9_1", "Task_1"),)), "body": ("{judul}",)}
    Templates([Template(**good)], registers=REGISTERS)
    with pytest.raises(ValueError, match="register"):
        Templates([Template(**{**good, "register": "pengaduan"})],
                  registers=REGISTERS)
    with pytest.raises(ValueError, match="layout"):
        Templates([Template(**{**good, "layout": "memo"})])
    with pytest.raises(ValueError, match="neither"):
        Templates([Template(**{**good, "body": ("{judul|'a'|b}",)})])
