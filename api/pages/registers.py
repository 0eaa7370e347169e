"""Register pages: the books the decrees name (buku agenda surat masuk, registrasi pengaduan,
register permohonan informasi …), each entry with its number, date, the start form's fields,
status and a link; by year and month, exported as CSV and XLSX. A register of documents (the
numbers of the letters cases generated) lists each number with its letter and case. Read from
the registers projection, never by loading cases."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, abort, render_template, request
from openpyxl import Workbook

from api.auth import services
from api.pages.common import login_required, page_actor, page_blueprint
from api.pages.formatting import MONTHS, WITA, status_label, tanggal, tanggal_waktu
from orchestrator.commands import Actor
from orchestrator.policy import may_list_process
from orchestrator.registration import Register
from projections.registers import RegisterQueries

bp = page_blueprint("pages_registers")
FIXED = ("No.", "Nomor registrasi", "Tanggal", "Proses")
DOCUMENT_HEADERS = ("No.", "Nomor", "Tanggal", "Dokumen", "Versi", "Nomor registrasi kasus",
                    "Proses", "Dibuat oleh")


@dataclass(frozen=True)
class Column:
    """One start-form field shown in the register."""

    name: str
    label: str
    labels: dict[str, str]  # enum value -> label
    date: bool = False

    def shown(self, data: dict[str, Any]) -> str:
        value = data.get(self.name)
        if value is None or value == "":
            return ""
        if self.date:
            return tanggal(value)
        return self.labels.get(str(value), str(value))


def _visible(register: Register, actor: Actor) -> tuple[str, ...]:
    """The register's processes the actor may list (for a register of documents: those of
    the templates it numbers)."""
    app = services().orchestrator
    keys = set(app.process_keys())
    processes = register.processes or tuple(dict.fromkeys(
        p for t in app.templates.by_key.values() if t.register == register.key
        for p, _ in t.steps))
    return tuple(p for p in processes
                 if p in keys and may_list_process(actor, app.model(p)[0]))


def _register(key: str) -> tuple[Register, tuple[str, ...]]:
    register = services().orchestrator.registers.get(key)
    processes = _visible(register, page_actor()) if register else ()
    if register is None or not processes:
        abort(404)  # a register one may not read is not revealed
    return register, processes


def columns(processes: tuple[str, ...]) -> list[Column]:
    """The start forms' fields of the register's processes (latest versions), in form order."""
    found: dict[str, Column] = {}
    for key in processes:
        form = services().orchestrator.model(key)[0].start_form or {}
        for name, spec in (form.get("properties") or {}).items():
            if name not in found:
                label = str(spec.get("title") or name.replace("_", " ").title())
                found[name] = Column(name, label, dict(spec.get("x-enumLabels") or {}),
                                     spec.get("format") == "date")
    return list(found.values())


def _period() -> tuple[int, int | None]:
    year = request.args.get("tahun", type=int) or datetime.now(WITA).year
    month = request.args.get("bulan", type=int)
    return year, month if month and 1 <= month <= 12 else None


def _entries(register: Register, processes: tuple[str, ...]) -> list[dict[str, Any]]:
    year, month = _period()
    queries = RegisterQueries(services().projections.view("registers"))
    services().projections.refresh()
    return queries.entries(register.key, year, month, processes)


def rows(entries: list[dict[str, Any]], cols: list[Column]) -> list[list[Any]]:
    """The table as exported: fixed columns, the form's fields, attachments, status."""
    names = {p: services().orchestrator.model(p)[0].name for p in {e["process"] for e in entries}}
    return [[e["number"], e["registration"], tanggal_waktu(e["started_at"]),
             names[e["process"]], *(c.shown(e["data"]) for c in cols if c.name != "lampiran"),
             e["data"].get("lampiran", 0), status_label(e["status"])] for e in entries]


def headers(cols: list[Column]) -> list[str]:
    return [*FIXED, *(c.label for c in cols if c.name != "lampiran"), "Lampiran", "Status"]


@bp.get("/register")
@login_required
def index() -> Any:
    """The registers the user may read."""
    actor = page_actor()
    named = services().orchestrator.registers.named.values()
    return render_template("register_daftar.html",
                           registers=[r for r in named if _visible(r, actor)])


@bp.get("/register/<key>")
@login_required
def show(key: str) -> Any:
    """One register's entries of a year (and month)."""
    register, processes = _register(key)
    year, month = _period()
    queries = RegisterQueries(services().projections.view("registers"))
    stored = queries.document_years(key) if register.documents else queries.years(key)
    years = sorted({year, datetime.now(WITA).year, *stored}, reverse=True)
    heads, entries, table = _table(register, processes)
    return render_template("register.html", register=register, entries=entries,
                           table=zip(entries, table, strict=True), headers=heads, year=year,
                           month=month, years=years, months=list(enumerate(MONTHS, 1)))


def _table(register: Register, processes: tuple[str, ...]
           ) -> tuple[list[str], list[dict[str, Any]], list[list[Any]]]:
    """(headers, entries, rows) of the register's period: cases, or a book of letters."""
    if not register.documents:
        cols = columns(processes)
        entries = _entries(register, processes)
        return headers(cols), entries, rows(entries, cols)
    year, month = _period()
    services().projections.refresh()
    docs = RegisterQueries(services().projections.view("registers")).documents(
        register.key, year, month, processes)
    names = {p: services().orchestrator.model(p)[0].name for p in {d["process"] for d in docs}}
    return list(DOCUMENT_HEADERS), docs, [
        [d["sequence"], d["number"], tanggal_waktu(d["generated_at"]), d["title"],
         d["version"], d["registration"], names[d["process"]], d["actor"]] for d in docs]


def _filename(register: Register, suffix: str) -> str:
    year, month = _period()
    return f"register-{register.key}-{year}" + (f"-{month:02d}" if month else "") + suffix


@bp.get("/register/<key>/ekspor.csv")
@login_required
def export_csv(key: str) -> Response:
    """The register as CSV (UTF-8 with BOM, so that spreadsheets read the accents)."""
    register, processes = _register(key)
    heads, _, table = _table(register, processes)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(heads)
    writer.writerows(table)
    return _download("\ufeff" + out.getvalue(), _filename(register, ".csv"),
                     "text/csv; charset=utf-8")


@bp.get("/register/<key>/ekspor.xlsx")
@login_required
def export_xlsx(key: str) -> Response:
    """The register as an Excel workbook (openpyxl), one sheet, a header row."""
    register, processes = _register(key)
    heads, _, table = _table(register, processes)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(register.name[:31])
    sheet.append(heads)
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return _download(out.getvalue(), _filename(register, ".xlsx"),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _download(body: str | bytes, name: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
