"""Staff pages: home, log in and out, the inbox of my roles, claim and release."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, request, session, url_for

from api.auth import authenticate, services
from api.case_tasks import case_task
from api.cases import for_task, readable_task
from api.pages.common import login_required, page_actor, page_blueprint, page_user
from api.reports import inbox_page_for
from api.tasks import find_task
from orchestrator.commands import ClaimTask, ReleaseTask
from orchestrator.errors import AuthenticationFailed, RateLimited, TaskNotFound
from orchestrator.passwords import HashingBusy
from projections.queries import INBOX_VIEWS

bp = page_blueprint("pages_staff")
PAGE_SIZE = 25
VIEW_LABELS = {"all": "Semua", "mine": "Untuk saya", "unclaimed": "Belum diambil",
               "overdue": "Terlambat", "due_soon": "Jatuh tempo 24 jam", "escalated": "Eskalasi"}


# a path on this site: "/" not followed by "/" or "\", then printable ASCII without "\".
# Browsers drop tabs and newlines and read "\" as "/" ("/<tab>/host" goes to //host); non-ASCII
# is refused too rather than trusting every browser's idea of a slash
_LOCAL_PATH = re.compile(r"/(?![/\\])[!-\[\]-~]*")


def safe_next(target: str | None, default: str) -> str:
    """Only a local path may follow a login (no open redirect)."""
    return target if target and _LOCAL_PATH.fullmatch(target) else default


@bp.get("/")
def home() -> Any:
    """Landing page: the public portal for citizens, log in for staff."""
    return render_template("beranda.html")


@bp.route("/masuk", methods=["GET", "POST"])
def login() -> Any:
    """Log in with username and password; the session cookie carries the login."""
    target = safe_next(request.values.get("lanjut"), url_for("pages_staff.inbox"))
    if request.method == "GET":
        if page_user() is not None:
            return redirect(target)
        return render_template("masuk.html", lanjut=target, username="")
    username = request.form.get("username", "").strip()[:100]
    try:
        user = authenticate(username, request.form.get("password", "")[:200])
    except RateLimited as exc:
        wait = exc.details.get("retry_after", 60)
        message = (f"Layanan sedang sibuk. Coba lagi dalam {wait} detik."
                   if isinstance(exc, HashingBusy)
                   else f"Terlalu banyak percobaan gagal. Coba lagi dalam {wait} detik.")
        return render_template("masuk.html", lanjut=target, username=username,
                               error=message), 429, {"Retry-After": str(wait)}
    except AuthenticationFailed:
        return render_template("masuk.html", lanjut=target, username=username,
                               error="Nama pengguna atau kata sandi salah."), 401
    session.clear()
    session.permanent = True
    session.update(u=user.username, gen=user.token_generation)
    return redirect(target)


@bp.post("/keluar")
def logout() -> Any:
    """Log out: end every session and token of the user on the server, then the cookie."""
    user = page_user()
    if user is not None:  # as POST /auth/logout: a copy of the cookie is worthless from now on
        user.revoke_tokens(actor=user.username)
        services().orchestrator.save_user(user)
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("pages_staff.login"))


@bp.get("/kotak-masuk")
@login_required
def inbox() -> Any:
    """Ready tasks of my roles, soonest due first, with overdue marks."""
    actor = page_actor()
    view = request.args.get("tampilan", "all")
    view = view if view in INBOX_VIEWS else "all"
    query = request.args.get("q", "").strip()[:100] or None
    page = max(1, request.args.get("halaman", 1, type=int) or 1)
    svc = services()
    svc.projections.wait(request.args.get("setelah", type=int), timeout=2.0)
    result = inbox_page_for(actor, view=view, q=query, limit=PAGE_SIZE,
                            offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-result.total // PAGE_SIZE))
    return render_template("kotak_masuk.html", tasks=result.items, total=result.total,
                           view=view, views=VIEW_LABELS, q=query or "", page=page, pages=pages)


def my_task(case_id: UUID, task_id: UUID) -> dict[str, Any]:
    """The task, read from its case (write side), if it lies in one of my lanes (else 404)."""
    task = case_task(case_id, task_id)
    if not for_task(page_actor(), task).holds(task["lane"]):
        raise TaskNotFound(f"no task {task_id}")
    return readable_task(task, page_actor())


def case_of(task_id: UUID) -> UUID:
    """The case of a task, looked up in the inbox: only the old ``/tugas/<id>`` URLs need it."""
    task = find_task(task_id)
    if task is None or not page_actor().holds(task["lane"]):
        raise TaskNotFound(f"no task {task_id}")
    return UUID(readable_task(task, page_actor())["case_id"])


def wrote() -> None:
    """Wake the in-process catch-up after a command; nothing waits for it here (a page that
    reads the worklist next is sent its position as ``setelah`` and waits itself)."""
    services().projections.poke()


@bp.post("/kasus/<uuid:case_id>/tugas/<uuid:task_id>/ambil")
@login_required
def claim(case_id: UUID, task_id: UUID) -> Any:
    task = my_task(case_id, task_id)
    services().orchestrator.claim_task(ClaimTask(case_id, task_id, page_actor()))
    wrote()
    flash(f"Langkah “{task['name']}” diambil. Petugas lain tidak lagi melihatnya.", "sukses")
    return redirect(url_for("pages_task.show", case_id=case_id, task_id=task_id))


@bp.post("/kasus/<uuid:case_id>/tugas/<uuid:task_id>/lepas")
@login_required
def release(case_id: UUID, task_id: UUID) -> Any:
    task = my_task(case_id, task_id)
    result = services().orchestrator.release_task(ReleaseTask(case_id, task_id, page_actor()))
    wrote()
    flash(f"Langkah “{task['name']}” dilepas kembali ke lajur.", "info")
    return redirect(url_for("pages_staff.inbox", setelah=result.position))


@bp.post("/tugas/<uuid:task_id>/ambil")
@bp.post("/tugas/<uuid:task_id>/lepas")
@bp.post("/tugas/<uuid:task_id>/selesai")
@login_required
def old_task_form(task_id: UUID) -> Any:
    """Forms of pages opened before the case-addressed URLs: the same POST, at the new URL."""
    action = request.path.rsplit("/", 1)[-1]
    return redirect(f"/kasus/{case_of(task_id)}/tugas/{task_id}/{action}", code=308)
