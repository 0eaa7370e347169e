"""The working-calendar page (/kalender): everyone signed in sees the cuti bersama with the
decree and who declared it, the year's national holidays and the office hours; administrators
declare or withdraw a cuti bersama and change office hours there, through the same commands
and policy as the API."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from api.auth import services
from api.calendar import calendar_now
from api.pages.common import form_date, login_required, page_actor, page_blueprint
from orchestrator.commands import ChangeOfficeHours, DeclareCutiBersama, WithdrawCutiBersama
from orchestrator.errors import AlurError, Conflict, InvalidInput, NotFound
from orchestrator.policy import may_manage_calendar
from orchestrator.worktime import public_holiday

bp = page_blueprint("pages_calendar")
EVENTS = {"Opened": "Kalender dicatat dari konfigurasi",
          "CutiBersamaDeclared": "Cuti bersama ditetapkan",
          "CutiBersamaWithdrawn": "Cuti bersama dibatalkan",
          "OfficeHoursChanged": "Jam kerja diubah"}
FIELDS = {"day": "tanggal", "reason": "alasan", "decree": "dasar", "office_hours": "jam",
          "friday_hours": "jam_jumat", "effective_from": "berlaku"}


def _render(values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
            status: int = 200) -> Any:
    year = request.args.get("tahun", type=int)
    shown = calendar_now(year if year and 2000 <= year <= 2100 else None)
    return render_template("kalender.html", cal=shown, events=EVENTS,
                           admin=may_manage_calendar(page_actor()), values=values or {},
                           errors=errors or {}), status


@bp.get("/kalender")
@login_required
def index() -> Any:
    return _render()


def _refused(exc: AlurError, form: Any, field: str) -> Any:
    """The command's own message, in the form, next to the field it concerns."""
    found = exc.details.get("errors") or {}
    errors = {FIELDS.get(name, field): _indonesian(" ".join(messages))
              for name, messages in found.items()} or {field: _indonesian(str(exc))}
    status = 409 if isinstance(exc, Conflict) else 404 if isinstance(exc, NotFound) else 422
    return _render(form, errors, status)


def _indonesian(message: str) -> str:
    """The command's English reason, said in Bahasa Indonesia for the common cases."""
    replacements = (
        ("is already a cuti bersama", "sudah ditetapkan sebagai cuti bersama"),
        ("is a Saturday: not a working day already", "hari Sabtu: sudah bukan hari kerja"),
        ("is a Sunday: not a working day already", "hari Minggu: sudah bukan hari kerja"),
        ("is already a public holiday", "sudah hari libur nasional"),
        ("is in the past: a cuti bersama is declared before the day",
         "sudah lewat: cuti bersama ditetapkan sebelum harinya"),
        ("is not a cuti bersama", "bukan cuti bersama"),
        ("is past: the day was taken as cuti bersama and stays so",
         "sudah lewat: hari itu tetap tercatat sebagai cuti bersama"),
        ("closing time must be after opening time", "jam pulang harus setelah jam masuk"),
        ("is not HH:MM-HH:MM (e.g. 08:00-16:00)", "bukan format JJ:MM-JJ:MM (mis. 08:00-16:00)"),
        ("must not be in the past: the hours of a day gone by stay as they were",
         "tidak boleh tanggal lampau: jam kerja hari yang sudah lewat tetap seperti semula"),
        ("say why, citing the decree (SKB 3 Menteri …)",
         "tulis alasannya beserta dasar hukumnya (SKB 3 Menteri …)"),
        ("the office hours from", "jam kerja mulai"), ("are already", "sudah"),
        ("(Friday", "(Jumat"),
    )
    for english, indonesian in replacements:
        message = message.replace(english, indonesian)
    return message


@bp.post("/kalender/cuti-bersama")
@login_required
def declare() -> Any:
    form = request.form
    day = form_date(form.get("tanggal", ""))
    if day is None:
        return _render(form, {"tanggal": "Tanggal tidak dikenal (TTTT-BB-HH)."}, 422)
    try:
        services().orchestrator.declare_cuti_bersama(DeclareCutiBersama(
            actor=page_actor(), day=day, reason=form.get("alasan", ""),
            decree=form.get("dasar", "")))
    except (InvalidInput, Conflict) as exc:
        holiday = public_holiday(day, "id")
        if holiday and day.weekday() < 5 and "public holiday" in str(exc.details):
            return _render(form, {"tanggal": f"{day.isoformat()} sudah hari libur nasional "
                                             f"({holiday})."}, 422)
        return _refused(exc, form, "tanggal")
    flash(f"Cuti bersama {day.isoformat()} ditetapkan.", "sukses")
    return redirect(url_for("pages_calendar.index"))


@bp.post("/kalender/cuti-bersama/<day>/batal")
@login_required
def withdraw(day: str) -> Any:
    form = request.form
    parsed = form_date(day)
    if parsed is None:
        return _render(form, {"tanggal": "Tanggal tidak dikenal (TTTT-BB-HH)."}, 422)
    try:
        services().orchestrator.withdraw_cuti_bersama(WithdrawCutiBersama(
            actor=page_actor(), day=parsed, reason=form.get("alasan") or "",
            decree=form.get("dasar", "")))
    except (InvalidInput, NotFound) as exc:
        return _refused(exc, form, "tanggal")
    flash(f"Cuti bersama {day} dibatalkan.", "sukses")
    return redirect(url_for("pages_calendar.index"))


@bp.post("/kalender/jam-kerja")
@login_required
def office_hours() -> Any:
    form = request.form
    effective = form_date(form.get("berlaku", ""))
    if effective is None:
        return _render(form, {"berlaku": "Tanggal berlaku tidak dikenal (TTTT-BB-HH)."}, 422)
    try:
        services().orchestrator.change_office_hours(ChangeOfficeHours(
            actor=page_actor(), effective_from=effective,
            office_hours=form.get("jam", "").strip(),
            friday_hours=form.get("jam_jumat", "").strip(), reason=form.get("alasan", ""),
            decree=form.get("dasar", "")))
    except (InvalidInput, Conflict) as exc:
        return _refused(exc, form, "jam")
    flash(f"Jam kerja mulai {effective.isoformat()} disimpan.", "sukses")
    return redirect(url_for("pages_calendar.index"))
