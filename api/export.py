"""A case's audit export: every event, the registration and the chain's verification, as JSON
or as a PDF with Indonesian headings (for inspectors' files). Shared by the API and the CLI."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from api.presenters import WITA, event_dict, verification_dict
from orchestrator.application import Orchestrator
from orchestrator.audit import Auditor
from orchestrator.commands import Actor

FORMATS = ("json", "pdf")
STATUS_ID = {"active": "aktif", "completed": "selesai", "cancelled": "dibatalkan"}


def export_document(app: Orchestrator, case_id: UUID, actor: Actor, what: str) -> dict[str, Any]:
    """The export as a dict; reading a sensitive case this way is logged first."""
    auditor = Auditor(app)
    case = app.get_case(case_id)
    events = app.case_events(case_id)
    model = auditor.model(case)
    head = {
        "id": str(case.id), "registration": case.registration,
        "process": {"key": case.process_key, "version": case.process_version,
                    "name": model.name, "bpmn_sha256": case.bpmn_sha256},
        "status": case.status, "started_by": case.started_by,
        "started_at": events[0].timestamp.astimezone(WITA).isoformat(),
        "case_version": case.version,
    }
    if auditor.is_sensitive(case):
        head["reporter"], revealed = auditor.reporter(case, actor)
        auditor.record_read(case, actor, what, revealed)
    return {
        "case": head,
        "events": [event_dict(e) for e in events],
        "verification": verification_dict(auditor.verify(case_id)),
        "exported_at": datetime.now(UTC).astimezone(WITA).isoformat(),
        "exported_by": actor.username,
    }


def render_pdf(doc: dict[str, Any]) -> bytes:
    """The export as a PDF document (core fonts; text outside Windows-1252 is transliterated)."""
    pdf = _Pdf()
    pdf.set_title(f"Laporan Audit Kasus {doc['case']['registration']}")
    pdf.set_keywords(f"head_hash {doc['verification']['head_hash']}")
    pdf.add_page()
    _title(pdf, doc)
    _registration(pdf, doc["case"])
    _verification(pdf, doc["verification"])
    _events(pdf, doc["events"])
    return bytes(pdf.output())


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, f"Halaman {self.page_no()}/{{nb}}", align="C")

    def line_text(self, text: str, size: float = 9, style: str = "", height: float = 5) -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, height, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.line_text(text, size=12, style="B", height=7)


def _title(pdf: _Pdf, doc: dict[str, Any]) -> None:
    pdf.line_text("LAPORAN JEJAK AUDIT KASUS", size=15, style="B", height=8)
    pdf.line_text(f"Diekspor {doc['exported_at']} (WITA) oleh {doc['exported_by']}", size=8)


def _registration(pdf: _Pdf, case: dict[str, Any]) -> None:
    process = case["process"]
    pdf.heading("Proses dan Registrasi")
    rows = [
        ("Proses", f"{process['name']} ({process['key']}, versi {process['version']})"),
        ("SHA-256 BPMN", process["bpmn_sha256"]),
        ("Nomor registrasi", case["registration"] or "-"),
        ("ID kasus", case["id"]),
        ("Status", STATUS_ID.get(case["status"], case["status"])),
        ("Dimulai", f"{case['started_at']} (WITA) oleh {case['started_by']}"),
        ("Jumlah peristiwa", str(case["case_version"])),
    ]
    if "reporter" in case:
        rows.append(("Identitas pelapor", _value(case["reporter"])))
    for label, value in rows:
        pdf.line_text(f"{label}: {value}")


def _verification(pdf: _Pdf, result: dict[str, Any]) -> None:
    pdf.heading("Verifikasi Rantai Hash")
    pdf.line_text("Hasil: " + ("UTUH - rantai hash cocok dengan setiap peristiwa tersimpan"
                               if result["ok"] else "RUSAK - rantai hash terputus"), style="B")
    pdf.line_text(f"Hash kepala rantai: {result['head_hash']}")
    bad = result["first_bad"]
    if bad:
        pdf.line_text(f"Tautan rusak pertama: peristiwa {bad['seq']} ({bad['problem']}): "
                      f"{bad['detail']}")


def _events(pdf: _Pdf, events: list[dict[str, Any]]) -> None:
    pdf.heading("Riwayat Peristiwa")
    for event in events:
        pdf.line_text(f"#{event['seq']}  {event['type']}  {event['at']} (WITA)", style="B")
        pdf.line_text(f"Pelaku: {event['actor'] or '-'}   Elemen BPMN: "
                      f"{event['element_id'] or '-'}", size=8)
        pdf.line_text(f"Data: {_value(event['data'])}", size=8, height=4)
        pdf.line_text(f"Hash sebelumnya: {event['prev_hash']}", size=7, height=4)
        pdf.ln(1)


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _text(text: str) -> str:
    """Windows-1252 text for the PDF core fonts: accents folded, anything else as '?'."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                         if not unicodedata.combining(c))
        return folded.encode("cp1252", "replace").decode("cp1252")
