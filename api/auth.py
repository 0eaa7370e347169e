"""Bearer tokens (signed, expiring) and the current actor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api.services import ApiServices
from orchestrator.commands import Actor
from orchestrator.errors import AuthenticationFailed
from orchestrator.passwords import verify_password
from orchestrator.users import User

F = TypeVar("F", bound=Callable[..., Any])


def services() -> ApiServices:
    """The services the app was built around (``create_app``)."""
    services: ApiServices = current_app.extensions["alur"]
    return services


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="alur-api-token")


def authenticate(username: str, password: str) -> User:
    """Check a password (throttled per username and client address)."""
    throttle = current_app.extensions["alur.throttle"]
    address = request.remote_addr or "?"
    throttle.check(username, address)
    user = services().orchestrator.find_user(username)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        throttle.failed(username, address)
        raise AuthenticationFailed("wrong username or password")
    if not user.active:
        raise AuthenticationFailed("account is disabled")
    throttle.succeeded(username, address)
    return user


def issue_token(username: str, password: str) -> tuple[str, User]:
    user = authenticate(username, password)
    return _serializer().dumps({"u": user.username, "g": user.token_generation}), user


def current_user() -> User:
    """The authenticated user of this request (roles re-read from the store every request)."""
    if "user" in g:
        return g.user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("missing bearer token (Authorization: Bearer <token>)")
    ttl = services().config.token_ttl_seconds
    try:
        payload = _serializer().loads(token, max_age=ttl)
    except SignatureExpired:
        raise AuthenticationFailed("token expired; log in again") from None
    except BadSignature:
        raise AuthenticationFailed("invalid token") from None
    user = services().orchestrator.find_user(payload.get("u", ""))
    if user is None or not user.active:
        raise AuthenticationFailed("unknown or disabled user")
    if payload.get("g") != user.token_generation:
        raise AuthenticationFailed("token revoked; log in again")
    g.user = user
    return user


def current_actor() -> Actor:
    user = current_user()
    return services().orchestrator.actor_of(user.username, user.roles)


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]

