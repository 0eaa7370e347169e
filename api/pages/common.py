"""What every page blueprint shares: the session user, role checks, CSRF on state-changing
requests, per-view body limits, and Indonesian error pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from api.auth import services
from api.errors import STATUS
from orchestrator import errors
from orchestrator.commands import Actor
from orchestrator.users import User

F = TypeVar("F", bound=Callable[..., Any])
csrf = CSRFProtect()
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MESSAGES: list[tuple[type[errors.AlurError], str]] = [
    (errors.TaskClaimedByOther, "Langkah ini sedang dikerjakan oleh petugas lain."),
    (errors.TaskNotReady, "Langkah ini sudah tidak menunggu (sudah diselesaikan atau dibatalkan)."),
    (errors.StaleCaseVersion, "Kasus baru saja berubah. Muat ulang halaman lalu coba lagi."),
    (errors.CaseClosed, "Kasus sudah ditutup."),
    (errors.NotFound, "Data yang dicari tidak ditemukan."),
    (errors.NotAllowed, "Anda tidak berwenang melakukan tindakan ini."),
    (errors.RateLimited, "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi."),
    (errors.InvalidDefinition, "Definisi proses tidak sah."),
    (errors.ServiceMisconfigured, "Layanan belum dikonfigurasi dengan benar."),
]
HTTP_MESSAGES = {400: "Permintaan tidak sah.", 403: "Akses ditolak.",
                 404: "Halaman tidak ditemukan.", 405: "Metode tidak diizinkan.",
                 413: "Kiriman terlalu besar. Kurangi ukuran atau jumlah lampiran.",
                 429: "Terlalu banyak permintaan. Coba lagi nanti."}


def page_user() -> User | None:
    """The logged-in user of this session (re-read each request; a revoked session ends)."""
    if "user" in g:
        return g.user
    username = session.get("u")
    if not username:
        return None
    user = services().orchestrator.find_user(username)
    if user is None or not user.active or session.get("gen") != user.token_generation:
        session.clear()
        return None
    g.user = user  # api.auth.current_user() answers from g: the API's own checks apply
    return user


def page_actor() -> Actor:
    user = page_user()
    if user is None:
        raise errors.AuthenticationFailed("login required")
    return services().orchestrator.actor_of(user.username, user.roles)


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if page_user() is None:
            return redirect(url_for("pages_staff.login", lanjut=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def permitted(rule: Callable[[Actor], bool]) -> Callable[[F], F]:
    """Log in, then the policy's ``rule`` must allow the actor (else 403)."""
    def decorate(view: F) -> F:
        @login_required
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not rule(page_actor()):
                raise errors.NotAllowed("role required")
            return view(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate


def body_limit(max_bytes: int) -> Callable[[F], F]:
    """Allow a larger body for this view (set before the CSRF check reads the form)."""
    def decorate(view: F) -> F:
        view._alur_body_limit = max_bytes  # type: ignore[attr-defined]
        return view
    return decorate


def page_blueprint(name: str) -> Blueprint:
    """A blueprint with the page rules: body limits, CSRF on writes, Indonesian errors."""
    bp = Blueprint(name, __name__)
    bp.before_request(_before)
    bp.register_error_handler(errors.AlurError, _domain_error)
    bp.register_error_handler(CSRFError, _csrf_error)
    bp.register_error_handler(HTTPException, _http_error)
    return bp


def _before() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    size = getattr(view, "_alur_body_limit", None)
    if size:
        request.max_content_length = size
    if request.method in WRITE_METHODS:
        csrf.protect()


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def error_page(status: int, message: str, detail: str = "") -> Any:
    if wants_json():
        return {"title": message, "detail": detail or message, "status": status}, status
    return render_template("galat.html", status=status, message=message, detail=detail), status


def _domain_error(error: errors.AlurError) -> Any:
    if isinstance(error, errors.AuthenticationFailed):
        session.clear()
        return redirect(url_for("pages_staff.login", lanjut=request.path))
    status = next((code for cls, code in STATUS if isinstance(error, cls)), 400)
    message = next((text for cls, text in MESSAGES if isinstance(error, cls)), error.message)
    return error_page(status, message)


def _csrf_error(error: CSRFError) -> Any:
    return error_page(400, "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu "
                           "kirim lagi.")


def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    return error_page(status, HTTP_MESSAGES.get(status, error.name))


def form_date(raw: str) -> date | None:
    """A form's ISO date (``TTTT-BB-HH``), or None when it is not one."""
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None
