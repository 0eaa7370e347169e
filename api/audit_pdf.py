"""The audit export as a PDF for inspectors' files, in Indonesian: times as people write them
("24 November 2026 08.15 WITA"), event types in words, event data as labelled fields (the task
forms' titles and answer labels), and the process diagram as it stood, passed steps marked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from api import pdf_diagram
from api.diagram_layout import read_layout
from api.pages.formatting import angka, event_label, problem_label, tanggal_waktu, ukuran
from orchestrator.application import Orchestrator
from orchestrator.letters import pdf_text  # one folding of text for the core fonts

STATUS_ID = {"active": "aktif", "completed": "selesai", "cancelled": "dibatalkan"}
Field = tuple[str, str]


def render(doc: dict[str, Any], app: Orchestrator | None = None) -> bytes:
    """The PDF; with ``app`` it also has the diagram and the roles' names."""
    pdf = _Pdf()
    pdf.set_title(f"Laporan Audit Kasus {doc['case']['registration']}")
    pdf.set_keywords(f"head_hash {doc['verification']['head_hash']}")
    pdf.add_page()
    _title(pdf, doc)
    _registration(pdf, doc["case"])
    _verification(pdf, doc["verification"])
    if app is not None:
        _diagram(pdf, doc, app)
        pdf.add_page(orientation="P", format="A4")
    _events(pdf, doc["events"], Labels(doc["events"], app))
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
        self.multi_cell(0, height, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def field(self, label: str, value: str, size: float = 9, height: float = 5) -> None:
        """``label: value`` with the label in bold, the value wrapping under itself."""
        self.set_font("Helvetica", "B", size)
        width = min(55.0, self.get_string_width(pdf_text(label) + ": ") + 1)
        self.cell(width, height, pdf_text(label + ":"))
        self.set_font("Helvetica", "", size)
        self.multi_cell(0, height, pdf_text(value or "-"), new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.line_text(text, size=12, style="B", height=7)


def _title(pdf: _Pdf, doc: dict[str, Any]) -> None:
    pdf.line_text("LAPORAN JEJAK AUDIT KASUS", size=15, style="B", height=8)
    pdf.line_text(f"Diekspor {tanggal_waktu(doc['exported_at'])} oleh {doc['exported_by']}",
                  size=8)


def _registration(pdf: _Pdf, case: dict[str, Any]) -> None:
    process = case["process"]
    pdf.heading("Proses dan Registrasi")
    rows = [
        ("Proses", f"{process['name']} ({process['key']}, versi {process['version']})"),
        ("SHA-256 BPMN", process["bpmn_sha256"]),
        ("Nomor registrasi", case["registration"] or "-"),
        ("ID kasus", case["id"]),
        ("Status", STATUS_ID.get(case["status"], case["status"])),
        ("Dimulai", f"{tanggal_waktu(case['started_at'])} oleh {case['started_by']}"),
        ("Jumlah peristiwa", angka(case["case_version"])),
    ]
    if "reporter" in case:
        rows.append(("Identitas pelapor", plain(case["reporter"]) or "anonim"))
    for label, value in rows:
        pdf.field(label, value)


def _verification(pdf: _Pdf, result: dict[str, Any]) -> None:
    pdf.heading("Verifikasi Rantai Hash")
    pdf.line_text("Hasil: " + ("UTUH - rantai hash cocok dengan setiap peristiwa tersimpan"
                               if result["ok"] else "RUSAK - rantai hash terputus"), style="B")
    pdf.field("Hash kepala rantai", result["head_hash"])
    bad = result["first_bad"]
    if bad:
        pdf.field("Tautan rusak pertama", f"peristiwa {bad['seq']} "
                  f"({problem_label(bad['problem'])}): {bad['detail']}")


def _diagram(pdf: _Pdf, doc: dict[str, Any], app: Orchestrator) -> None:
    """A landscape page (A3 for wide diagrams): the diagram, a legend, the steps in words."""
    process = doc["case"]["process"]
    model, _ = app.model(process["key"], process["version"])
    layout = read_layout(model.bpmn)
    if not layout.shapes:
        return
    case = app.get_case(UUID(doc["case"]["id"]))
    done, waiting = set(case.path), {t.element_id for t in case.open_tasks.values()}
    pdf.add_page(orientation="L", format="A3" if layout.bounds[2] > 1600 else "A4")
    pdf.line_text(f"Diagram Proses: {process['name']}", size=12, style="B", height=7)
    pdf.line_text("Keadaan pada saat ekspor. Hijau dengan garis tebal: sudah dilalui; "
                  "jingga dengan garis putus-putus: sedang menunggu; putih: belum dilalui.",
                  size=8, height=4)
    top = pdf.get_y() + 2
    frame = pdf_diagram.fit(layout, pdf.l_margin, top, pdf.epw, pdf.eph - top - 22)
    pdf_diagram.draw(pdf, layout, frame, done, waiting, pdf_text)
    pdf.set_y(frame.at(0, layout.bounds[1] + layout.bounds[3])[1] + 3)
    def steps(ids: list[str]) -> str:
        return "; ".join(_step(model.tasks[e]) for e in ids if e in model.tasks) or "-"

    pdf.field("Sudah dilalui", steps(case.path), size=8, height=4)
    pdf.field("Sedang menunggu", steps(sorted(waiting)), size=8, height=4)


def _events(pdf: _Pdf, events: list[dict[str, Any]], labels: Labels) -> None:
    pdf.heading("Riwayat Peristiwa")
    for event in events:
        pdf.line_text(f"#{event['seq']}  {event_label(event['type'])}  -  "
                      f"{tanggal_waktu(event['at'])}", style="B")
        if event["actor"]:
            pdf.field("Pelaku", event["actor"], size=8, height=4)
        for label, value in labels.fields(event):
            pdf.field(label, value, size=8, height=4)
        pdf.set_text_color(90, 98, 112)
        pdf.line_text(f"Elemen BPMN: {event['element_id'] or '-'}   Hash sebelumnya: "
                      f"{event['prev_hash']}", size=6.5, height=3.5)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)


class Labels:
    """Event data as (label, value) fields: forms' titles and answer labels as each task was
    activated, the roles' and elements' names where the app is at hand."""

    def __init__(self, events: list[dict[str, Any]], app: Orchestrator | None) -> None:
        self.tasks = {e["task"]: e["data"] for e in events if e["type"] == "TaskActivated"}
        self.app = app

    def role(self, key: str) -> str:
        return str(self.app.roles.name(key)) if self.app else key

    def fields(self, event: dict[str, Any]) -> list[Field]:
        data = event["data"] or {}
        task = self.tasks.get(event["task"]) or {}
        step = [("Langkah", _step(task))] if task else []
        kind = event["type"]
        if kind == "TaskActivated":
            duration = (data.get("properties") or {}).get("duration")
            return [*step, ("Peran", self.role(data.get("lane", ""))),
                    *([("Waktu menurut SOP", duration)] if duration else [])]
        if kind == "TaskCompleted":
            return step + list(_answers(data, task.get("form") or {}))
        if kind in ("TaskClaimed", "TaskReleased", "CaseCompleted"):
            return step
        return list(OTHER_EVENTS.get(kind, _generic)(data))


def _step(task: dict[str, Any]) -> str:
    """The step's activity as the decree words it (the task's name is a shortened one)."""
    props = task.get("properties") or {}
    row = props.get("row")
    return (props.get("activity") or task.get("name", "")) + (f" (baris SOP {row})" if row
                                                               else "")


def _answers(data: dict[str, Any], form: dict[str, Any]) -> Iterator[Field]:
    """Each answer under its form title; an enum's value as its label."""
    props = form.get("properties") or {}
    for key, value in data.items():
        spec = props.get(key) or {}
        label = spec.get("title") or _humanize(key)
        if key == "lampiran" and isinstance(value, list):
            yield label, "; ".join(_attachment(a) for a in value) or "-"
        elif "enum" in spec:
            yield label, str((spec.get("x-enumLabels") or {}).get(value, value))
        else:
            yield label, plain(value)


def _attachment(item: Any) -> str:
    if not isinstance(item, dict):
        return plain(item)
    return (f"{item.get('nama', '')} ({ukuran(item.get('ukuran'))}, sha256 "
            f"{str(item.get('sha256', ''))[:16]}...)")


def _deadline(data: dict[str, Any]) -> list[Field]:
    days, minutes = data.get("working_days") or 0, data.get("working_minutes") or 0
    amount = f"{angka(days)} hari kerja" if days else f"{angka(minutes)} menit kerja"
    fields = [("Layanan", str(data["service_name"]).capitalize())] \
        if data.get("service_name") else []
    fields.append(("Waktu layanan" if "reason" not in data else "Perpanjangan", amount))
    if data.get("reason"):
        fields.append(("Alasan", data["reason"]))
    return fields


def _gateway(data: dict[str, Any]) -> list[Field]:
    return [("Jalur", data.get("flow_name") or data.get("flow_id", ""))]


def _cancelled(data: dict[str, Any]) -> list[Field]:
    return [("Alasan", data.get("reason", ""))]


def _generic(data: dict[str, Any], prefix: str = "") -> Iterator[Field]:
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _generic(value, f"{prefix}{_humanize(key)} - ")
        else:
            yield f"{prefix}{_humanize(key)}", plain(value)


OTHER_EVENTS = {"GatewayTaken": _gateway, "DeadlineSet": _deadline,
                "DeadlineExtended": _deadline, "CaseCancelled": _cancelled}


def _humanize(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def plain(value: Any) -> str:
    """A value in words, never JSON: ya/tidak, Indonesian numbers, lists and pairs joined."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float):
        return angka(value, 2)
    if isinstance(value, list):
        return "; ".join(plain(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{_humanize(str(k))}: {plain(v)}" for k, v in value.items()) or "-"
    return str(value)


