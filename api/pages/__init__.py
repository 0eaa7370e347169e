"""Server-rendered pages in Bahasa Indonesia: staff, process owners, inspectors, public portal.

Pages authenticate with a session cookie (HttpOnly, SameSite=Lax, Secure behind TLS) and
protect every state-changing form with a CSRF token; the JSON API keeps its bearer tokens and
is not subject to the session's CSRF check.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from api.auth import services
from api.pages import (
    acting,
    audit,
    calendar,
    cases,
    dashboard,
    notifications,
    portal,
    processes,
    registers,
    staff,
    starting,
    task,
)
from api.pages.common import csrf, page_user
from api.pages.formatting import FILTERS

BLUEPRINTS = (staff.bp, task.bp, cases.bp, dashboard.bp, audit.bp, processes.bp, portal.bp,
              starting.bp, registers.bp, acting.bp, calendar.bp, notifications.bp)


def register(app: Flask, secure_cookies: bool = False) -> None:
    """Configure sessions and CSRF, add the Indonesian filters, register the page blueprints."""
    ttl = app.extensions["alur"].config.token_ttl_seconds
    app.config.update(
        SESSION_COOKIE_NAME="alur_sesi",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=ttl),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by the page blueprints only (see common.py)
        WTF_CSRF_TIME_LIMIT=ttl,
        WTF_CSRF_SSL_STRICT=secure_cookies,
    )
    csrf.init_app(app)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["page_user"] = page_user
    app.jinja_env.globals["unread_count"] = notifications.unread_count
    app.context_processor(_roles)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def _roles() -> dict[str, Any]:
    def role_name(key: str) -> str:
        return str(services().roles.name(key))
    return {"role_name": role_name}
