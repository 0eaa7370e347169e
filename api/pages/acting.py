"""The Plh/Plt page: administrators, and officials for their own roles, name an acting
official for a date range, see the appointments that concern them, and end one early."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from api.acting import visible_appointments
from api.auth import services
from api.pages.common import form_date, login_required, page_actor, page_blueprint
from api.pages.staff import wrote
from orchestrator.acting import KINDS, NOT_LENT
from orchestrator.commands import AppointActing, EndActing
from orchestrator.errors import Conflict, InvalidInput
from orchestrator.policy import may_appoint_acting, may_manage_users

bp = page_blueprint("pages_acting")
FIELDS = {"deputy": "petugas", "role": "peran", "kind": "jenis", "starts_on": "mulai",
          "ends_on": "sampai", "reason": "alasan", "official": "pejabat"}
MESSAGES = {
    "role": "Pilih peran yang dapat dilaksanakan oleh Plh/Plt.",
    "kind": "Pilih Plh atau Plt.",
    "deputy": "Pilih petugas aktif yang belum memegang peran itu (bukan pejabatnya sendiri).",
    "official": "Pejabat yang digantikan harus memegang peran itu.",
    "ends_on": "Tanggal selesai tidak boleh sebelum tanggal mulai, lampau, atau lebih dari "
               "satu tahun.",
    "starts_on": "Tanggal mulai tidak dikenal.",
    "reason": "Tulis alasannya (cuti, dinas luar, sakit …).",
}


def lendable_roles() -> list[tuple[str, str]]:
    """The roles the user may name a Plh/Plt for, as (key, name)."""
    actor, roles = page_actor(), services().roles
    return sorted(((key, role.name) for key, role in roles.roles.items()
                   if key not in NOT_LENT and not role.any_of
                   and may_appoint_acting(actor, key)), key=lambda r: r[1])


def _render(values: dict[str, Any] | None = None,
            errors: dict[str, str] | None = None, status: int = 200) -> Any:
    app = services().orchestrator
    users = [u for u in (app.find_user(n) for n in app.usernames()) if u and u.active]
    return render_template(
        "plh.html", rows=visible_appointments(), roles=lendable_roles(), kinds=KINDS,
        users=sorted(users, key=lambda u: u.username), values=values or {},
        errors=errors or {}, admin=may_manage_users(page_actor()),
        role_name=services().roles.name), status


@bp.get("/plh")
@login_required
def index() -> Any:
    return _render()


@bp.post("/plh")
@login_required
def appoint() -> Any:
    form = request.form
    starts, ends = form_date(form.get("mulai", "")), form_date(form.get("sampai", ""))
    errors = {}
    if starts is None:
        errors["mulai"] = MESSAGES["starts_on"]
    if ends is None:
        errors["sampai"] = MESSAGES["ends_on"]
    if errors or starts is None or ends is None:
        return _render(form, errors, 422)
    try:
        services().orchestrator.appoint_acting(AppointActing(
            actor=page_actor(), deputy=form.get("petugas", ""), role=form.get("peran", ""),
            kind=form.get("jenis", ""), starts_on=starts, ends_on=ends,
            reason=form.get("alasan", ""), official=form.get("pejabat") or None))
    except InvalidInput as exc:
        found = exc.details.get("errors") or {}
        return _render(form, {FIELDS[name]: MESSAGES[name] for name in found}, 422)
    except Conflict:
        return _render(form, {"petugas": "Petugas itu sudah menjadi Plh/Plt peran ini pada "
                                         "rentang tanggal tersebut."}, 409)
    wrote()
    flash("Plh/Plt ditetapkan.", "sukses")
    return redirect(url_for("pages_acting.index"))


@bp.post("/plh/<deputy>/<appointment_id>/akhiri")
@login_required
def end(deputy: str, appointment_id: str) -> Any:
    services().orchestrator.end_acting(EndActing(
        actor=page_actor(), deputy=deputy, appointment_id=appointment_id,
        reason=request.form.get("alasan") or "Diakhiri lebih awal"))
    wrote()
    flash("Penunjukan Plh/Plt diakhiri.", "sukses")
    return redirect(url_for("pages_acting.index"))
