"""Pages of notifications (the bell's list, mark read), the caller's profile and password,
and the outbox's failure list for administrators."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from marshmallow import ValidationError

from api.auth import services
from api.notification_schemas import PasswordChangeSchema, ProfileSchema
from api.notifications import change_password_of, mark_read_for, requeue
from api.pages.common import login_required, page_actor, page_blueprint, page_user, permitted
from orchestrator.errors import AuthenticationFailed
from orchestrator.policy import may_manage_deliveries
from orchestrator.users import User
from projections.notification_queries import TROUBLE_STATES

bp = page_blueprint("pages_notifications")
PAGE_SIZE = 30
STATE_LABELS = {"failed": "Gagal", "unconfirmed": "Belum pasti terkirim", "retry": "Dicoba lagi",
                "pending": "Menunggu", "sending": "Sedang dikirim",
                "handing_over": "Sedang diserahkan", "sent": "Terkirim"}
FIELD_LABELS = {"full_name": "Nama lengkap", "nip": "NIP", "jabatan": "Jabatan",
                "email": "Email", "whatsapp": "Nomor WhatsApp",
                "current_password": "Kata sandi sekarang", "new_password": "Kata sandi baru"}
PROFILE_FIELDS = ("full_name", "nip", "jabatan", "email", "whatsapp")
MESSAGES = {"an NIP has 18 digits": "NIP terdiri atas 18 angka.",
            "not an e-mail address": "Alamat email tidak sah.",
            "at least 12 characters": "Paling sedikit 12 karakter.",
            "Missing data for required field.": "Wajib diisi."}


def unread_count() -> int:
    """For the bell in every page's header (0 without a login)."""
    user = page_user()
    return services().notifications.unread_count(user.username) if user else 0


def _user() -> User:
    user = page_user()
    assert user is not None  # login_required
    return user


@bp.get("/notifikasi")
@login_required
def index() -> Any:
    """The user's notifications, newest first; unread ones marked."""
    services().projections.wait(request.args.get("setelah", type=int), timeout=2.0)
    page_no = max(1, request.args.get("halaman", 1, type=int))
    unread_only = request.args.get("belum") == "1"
    page = services().notifications.items(_user().username, unread_only=unread_only,
                                          limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    return render_template("notifikasi.html", items=page.items, total=page.total,
                           page_no=page_no, pages=max(1, -(-page.total // PAGE_SIZE)),
                           unread_only=unread_only)


@bp.post("/notifikasi/baca")
@login_required
def mark_read() -> Any:
    """Mark one notification (``id``) or all (``semua``) read, then back to the list."""
    ids = [i for i in request.form.getlist("id") if i][:500]
    everything = request.form.get("semua") == "1"
    position = mark_read_for(_user(), ids, everything)
    target = request.form.get("buka", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("pages_notifications.index", setelah=position))


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    """The user's name, NIP, position and the addresses notifications go to."""
    user = _user()
    if request.method == "GET":
        return render_template("profil.html", values=ProfileSchema().dump(user), errors={})
    form = {k: request.form.get(k, "").strip() for k in PROFILE_FIELDS}
    try:
        body = ProfileSchema().load(form)
    except ValidationError as exc:
        return render_template("profil.html", values=form, errors=_errors(exc)), 422
    user.update_profile(actor=user.username, **body)
    services().orchestrator.save_user(user)
    flash("Profil tersimpan.", "sukses")
    return redirect(url_for("pages_notifications.profile"))


@bp.post("/profil/sandi")
@login_required
def password() -> Any:
    """Change the password; the current one is required. Other sessions end, this one
    goes on."""
    user = _user()
    form = {k: request.form.get(k, "") for k in ("current_password", "new_password")}
    values = ProfileSchema().dump(user)
    try:
        body = PasswordChangeSchema().load(form)
        if body["new_password"] != request.form.get("ulangi", ""):
            raise ValidationError({"new_password": ["Ulangan kata sandi baru tidak sama."]})
        change_password_of(user, body["current_password"], body["new_password"])
    except ValidationError as exc:
        return render_template("profil.html", values=values, errors=_errors(exc)), 422
    except AuthenticationFailed:
        return render_template("profil.html", values=values, errors={
            "current_password": ["Kata sandi sekarang salah."]}), 422
    session["gen"] = user.token_generation
    flash("Kata sandi diganti. Sesi lain dan token API lama tidak berlaku lagi.", "sukses")
    return redirect(url_for("pages_notifications.profile"))


@bp.get("/notifikasi/pengiriman")
@permitted(may_manage_deliveries)
def deliveries() -> Any:
    """Deliveries that did not get through, for administrators to look at and resend."""
    state = request.args.get("status", "")
    states = (state,) if state in STATE_LABELS else TROUBLE_STATES
    page = services().notifications.deliveries(states, limit=200)
    return render_template("pengiriman.html", rows=page.items, total=page.total,
                           counts=services().notifications.counts(), labels=STATE_LABELS,
                           state=state)


@bp.post("/notifikasi/pengiriman/<uuid:delivery_id>/kirim-ulang")
@permitted(may_manage_deliveries)
def resend(delivery_id: Any) -> Any:
    requeue(str(delivery_id), page_actor().username)
    flash("Pengiriman dijadwalkan ulang.", "sukses")
    return redirect(url_for("pages_notifications.deliveries"))


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    found = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
    return {field: [MESSAGES.get(str(m), str(m))
                    for m in (msgs if isinstance(msgs, list) else [msgs])]
            for field, msgs in found.items()}
