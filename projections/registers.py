"""Registers projection: one row per case with its register, year, entry number, date, start
data and status, so a register page and its exports read one table (never the cases).

The entry number comes from the registration counter's ``Issued`` event (which names the
case); the case's row from ``CaseStarted``. Both are upserts: whichever the log holds first,
the row ends complete. Numbers issued before issues named their case stay without a row
number (the registration still shows).
"""

from __future__ import annotations

import json
from functools import singledispatchmethod
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from orchestrator.case import Case
from orchestrator.registration import COUNTER_CREATED, NUMBER_ISSUED
from projections.inbox import utc
from projections.skipped import skipped_ddl
from projections.sql import PostgresSqlView, SQLiteSqlView, SqlView

WITA = ZoneInfo("Asia/Makassar")
DDL = (
    "CREATE TABLE IF NOT EXISTS register_counters ("
    " counter_id TEXT PRIMARY KEY, register TEXT NOT NULL, year INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS register_entries ("
    " case_id TEXT PRIMARY KEY, register TEXT, year INTEGER, number INTEGER,"
    " process TEXT, registration TEXT, started_at TEXT, month INTEGER, started_by TEXT,"
    " data TEXT, status TEXT)",
    "CREATE INDEX IF NOT EXISTS register_entries_order"
    " ON register_entries (register, year, month, number)",
    # the letters a register of documents numbered: one row per number, its latest version
    "CREATE TABLE IF NOT EXISTS register_documents ("
    " register TEXT NOT NULL, year INTEGER NOT NULL, sequence INTEGER NOT NULL,"
    " number TEXT, case_id TEXT, template TEXT, title TEXT, month INTEGER,"
    " generated_at TEXT, actor TEXT, sha256 TEXT, version INTEGER,"
    " PRIMARY KEY (register, year, sequence))",
)


class RegisterView(SqlView):
    tables = ("register_entries", "register_counters", "register_documents", "register_skipped")
    ddl = (*DDL, skipped_ddl("register_skipped"))
    skipped_table = "register_skipped"


class SQLiteRegisterView(RegisterView, SQLiteSqlView):
    pass


class PostgresRegisterView(RegisterView, PostgresSqlView):
    pass


StoreRegisterView = SQLiteRegisterView | PostgresRegisterView


def entry_data(data: dict[str, Any]) -> str:
    """The start data as a register shows it: scalars, and the number of attached files."""
    kept: dict[str, Any] = {k: v for k, v in data.items()
                            if isinstance(v, str | int | float | bool)}
    if isinstance(data.get("lampiran"), list):
        kept["lampiran"] = len(data["lampiran"])
    return json.dumps(kept, ensure_ascii=False)


class RegisterProjection(Projection[StoreRegisterView]):
    """Keeps register_entries in step with starts, issued numbers and case ends."""

    name = "registers"
    topics = ()

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [])

    @process_event.register(COUNTER_CREATED)
    def _(self, event: Any, tracking: Tracking) -> None:
        self.view.write(tracking, [(
            "INSERT INTO register_counters (counter_id, register, year)"
            " VALUES (:id, :register, :year) ON CONFLICT (counter_id) DO NOTHING",
            {"id": str(event.originator_id), "register": event.key, "year": event.year})])

    @process_event.register(NUMBER_ISSUED)
    def _(self, event: Any, tracking: Tracking) -> None:
        case_id = getattr(event, "case_id", "")
        # issued before issues named their case, or a letter's number (a register of
        # documents: the case's DocumentGenerated records it), not the case's entry
        document: str = getattr(event, "document", "")
        if not case_id or document:
            self.view.write(tracking, [])
            return
        self.view.write(tracking, [(
            "INSERT INTO register_entries (case_id, register, year, number)"
            " SELECT :case_id, register, year, :number FROM register_counters"
            " WHERE counter_id = :counter"
            " ON CONFLICT (case_id) DO UPDATE SET register = excluded.register,"
            " year = excluded.year, number = excluded.number",
            {"case_id": case_id, "number": event.number, "counter": str(event.originator_id)})])

    @process_event.register
    def _(self, event: Case.Started, tracking: Tracking) -> None:
        started = event.timestamp.astimezone(WITA)
        self.view.write(tracking, [(
            "INSERT INTO register_entries (case_id, process, registration, started_at, month,"
            " started_by, data, status)"
            " VALUES (:case_id, :process, :registration, :at, :month, :actor, :data, 'active')"
            " ON CONFLICT (case_id) DO UPDATE SET process = excluded.process,"
            " registration = excluded.registration, started_at = excluded.started_at,"
            " month = excluded.month, started_by = excluded.started_by, data = excluded.data,"
            " status = excluded.status",
            {"case_id": str(event.originator_id), "process": event.process_key,
             "registration": event.registration, "at": utc(event.timestamp),
             "month": started.month, "actor": event.actor, "data": entry_data(event.data)})])

    @process_event.register
    def _(self, event: Case.DocumentGenerated, tracking: Tracking) -> None:
        at = event.timestamp.astimezone(WITA)
        self.view.write(tracking, [(
            "INSERT INTO register_documents (register, year, sequence, number, case_id,"
            " template, title, month, generated_at, actor, sha256, version)"
            " VALUES (:register, :year, :sequence, :number, :case_id, :template, :title,"
            " :month, :at, :actor, :sha256, 1)"
            " ON CONFLICT (register, year, sequence) DO UPDATE SET sha256 = excluded.sha256,"
            " version = register_documents.version + 1",
            {"register": event.register, "year": event.year, "sequence": event.sequence,
             "number": event.number, "case_id": str(event.originator_id),
             "template": event.template, "title": event.title, "month": at.month,
             "at": utc(event.timestamp), "actor": event.actor, "sha256": event.sha256})])

    @process_event.register
    def _(self, event: Case.Completed, tracking: Tracking) -> None:
        self._status(event, tracking, "completed")

    @process_event.register
    def _(self, event: Case.Cancelled, tracking: Tracking) -> None:
        self._status(event, tracking, "cancelled")

    def _status(self, event: Case.Event, tracking: Tracking, status: str) -> None:
        self.view.write(tracking, [(
            "UPDATE register_entries SET status = :status WHERE case_id = :case_id",
            {"status": status, "case_id": str(event.originator_id)})])


class RegisterQueries:
    """Reads of the registers projection for the register pages and their exports."""

    def __init__(self, view: StoreRegisterView) -> None:
        self.view = view

    def entries(self, register: str, year: int, month: int | None = None,
                processes: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """The register's entries of a year (and month), in number order, start data decoded."""
        where = ["register = :register", "year = :year", "started_at IS NOT NULL"]
        params: dict[str, Any] = {"register": register, "year": year}
        if month:
            where.append("month = :month")
            params["month"] = month
        if processes:  # the register's processes only (a process moved to another register)
            names = {f"p{i}": p for i, p in enumerate(processes)}
            where.append(f"process IN ({', '.join(':' + n for n in names)})")
            params.update(names)
        rows = self.view.rows(
            "SELECT case_id, number, registration, process, started_at, month, started_by,"
            f" data, status FROM register_entries WHERE {' AND '.join(where)}"
            " ORDER BY number", params)
        return [{**row, "data": json.loads(row["data"] or "{}")} for row in rows]

    def years(self, register: str) -> list[int]:
        rows = self.view.rows("SELECT DISTINCT year FROM register_entries"
                              " WHERE register = :register ORDER BY year DESC",
                              {"register": register})
        return [int(r["year"]) for r in rows if r["year"] is not None]

    def documents(self, register: str, year: int, month: int | None = None,
                  processes: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """A register of documents' numbers of a year (and month) in order, each with its
        case's registration and process (only cases of ``processes``)."""
        where = ["d.register = :register", "d.year = :year"]
        params: dict[str, Any] = {"register": register, "year": year}
        if month:
            where.append("d.month = :month")
            params["month"] = month
        names = {f"p{i}": p for i, p in enumerate(processes)}
        where.append(f"e.process IN ({', '.join(':' + n for n in names) or 'NULL'})")
        params.update(names)
        return self.view.rows(
            "SELECT d.sequence, d.number, d.case_id, d.template, d.title, d.generated_at,"
            " d.actor, d.sha256, d.version, e.registration, e.process"
            " FROM register_documents d JOIN register_entries e ON e.case_id = d.case_id"
            f" WHERE {' AND '.join(where)} ORDER BY d.sequence", params)

    def document_years(self, register: str) -> list[int]:
        rows = self.view.rows("SELECT DISTINCT year FROM register_documents"
                              " WHERE register = :register ORDER BY year DESC",
                              {"register": register})
        return [int(r["year"]) for r in rows]
