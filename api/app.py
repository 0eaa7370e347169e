"""Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from api import (
    acting,
    audit,
    calendar,
    cases,
    catalog,
    documents,
    notifications,
    pages,
    portal,
    process_admin,
    reports,
    tasks,
    tokens,
    users,
)
from api.errors import ProblemApi, handle_domain_error, problem
from api.health import health
from api.security_headers import add_security_headers
from api.services import ApiServices
from api.throttle import LoginThrottle
from orchestrator.errors import AlurError

BLUEPRINTS = (tokens.blp, acting.blp, calendar.blp, catalog.blp, cases.blp, documents.blp,
              tasks.blp, reports.blp, users.blp, audit.blp, process_admin.blp, portal.blp,
              notifications.blp)


def create_app(services: ApiServices, testing: bool = False) -> Flask:
    """Build the WSGI app around already-bootstrapped services (see ``alur.bootstrap``)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=services.config.resolved_secret_key(),
        TESTING=testing,
        MAX_CONTENT_LENGTH=1 * 1024 * 1024,
        READ_WAIT=2.0,
        API_TITLE="Alur",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
            "info": {"description": "Event-sourced BPMN orchestration for KPU Kota Bontang."},
        },
    )
    app.extensions["alur"] = services
    app.extensions["alur.throttle"] = LoginThrottle.beside(services.orchestrator)
    api = ProblemApi(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_error_handler(AlurError, handle_domain_error)
    app.after_request(add_security_headers)
    app.register_error_handler(
        ValueError, lambda e: problem(400, "Bad Request", f"invalid value: {e}"))

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, Any], int]:
        """200 while this process serves from a reachable store (``ok``, or ``degraded`` when
        a projection lags or skipped events: see api/health.py); 503 when it cannot."""
        return health(services)

    # pages (Bahasa Indonesia, session cookie + CSRF); Secure cookies behind TLS: production
    # runs behind TLS unless the configuration says otherwise
    pages.register(app, secure_cookies=services.config.secure_cookies)
    return app
