"""One table from domain errors to HTTP, and every error as application/problem+json."""

from __future__ import annotations

from typing import Any

from flask import Response, json
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from orchestrator import errors

STATUS: list[tuple[type[errors.AlurError], int]] = [
    (errors.AuthenticationFailed, 401),
    (errors.RateLimited, 429),
    (errors.NotFound, 404),
    (errors.NotAllowed, 403),
    (errors.Conflict, 409),
    (errors.InvalidTaskData, 422),
    (errors.InvalidDefinition, 422),
    (errors.InvalidInput, 422),
    (errors.ServiceMisconfigured, 503),
]


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="alur"'
    if "retry_after" in extra:
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


def handle_domain_error(error: errors.AlurError) -> Response:
    status = next(code for cls, code in STATUS if isinstance(error, cls)) if any(
        isinstance(error, cls) for cls, _ in STATUS) else 400
    extra = {k: v for k, v in error.details.items() if v is not None}
    return problem(status, type(error).__name__, error.message, **extra)


class ProblemApi(Api):
    """flask-smorest Api whose HTTP errors (incl. 422 from schemas) are problem+json."""

    def handle_http_exception(self, error: HTTPException) -> Response:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        extra: dict[str, Any] = {}
        messages = data.get("messages")
        if messages:
            # webargs nests by location: {"json": {"field": ["..."]}}; flatten to fields
            extra["errors"] = {k: v for loc in messages.values() for k, v in loc.items()} \
                if all(isinstance(v, dict) for v in messages.values()) else messages
        detail = data.get("message") or error.description or error.name
        if status == 422 and messages:
            detail = "request does not match the schema"
        return problem(status, error.name, str(detail), **extra)
