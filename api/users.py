"""User administration (administrators) and logout (everyone)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from api.auth import current_actor, current_user, services
from api.user_schemas import NewUserSchema, RolesSchema, UserRowSchema
from orchestrator.errors import Conflict, InvalidInput, NotFound
from orchestrator.passwords import hash_password
from orchestrator.policy import ensure, may_manage_users
from orchestrator.users import User

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users and sessions")


def _admin() -> str:
    actor = current_actor()
    ensure(may_manage_users(actor), f"{actor.username} may not manage users")
    return actor.username


@blp.before_request
def _only_administrators() -> None:
    """Authorise before the payload is even validated (403 before 422)."""
    if request.endpoint != "users.logout":
        _admin()


def _user(username: str) -> User:
    user = services().orchestrator.find_user(username)
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


def _known_roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - set(services().roles.roles))
    if unknown:
        raise InvalidInput("unknown roles", errors={"roles": [f"unknown: {', '.join(unknown)}"]})
    combined = sorted(r for r in roles if services().roles.is_composite(r))
    if combined:  # held through a member role, never given
        raise InvalidInput("combined roles are held through their members", errors={
            "roles": [f"{r}: give one of {', '.join(sorted(services().roles.members(r)))}"
                      for r in combined]})
    return roles


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout() -> None:
    """End every token and session of the caller."""
    user = current_user()
    user.revoke_tokens(actor=user.username)
    services().orchestrator.save_user(user)


@blp.route("/users")
@blp.response(200, UserRowSchema(many=True))
def list_users() -> list[Any]:
    """Every user (administrators)."""
    _admin()
    app = services().orchestrator
    return [u for u in (app.find_user(n) for n in app.usernames()) if u is not None]


@blp.route("/users", methods=["POST"])
@blp.arguments(NewUserSchema)
@blp.response(201, UserRowSchema)
def create_user(body: dict[str, Any]) -> User:
    """Create a user with roles (administrators)."""
    _admin()
    app = services().orchestrator
    if app.find_user(body["username"]) is not None:
        raise Conflict(f"user '{body['username']}' exists")
    user = User(username=body["username"], full_name=body["full_name"],
                roles=_known_roles(body["roles"]), password_hash=hash_password(body["password"]))
    app.register_user(user)
    return user


@blp.route("/users/<username>/roles", methods=["PUT"])
@blp.arguments(RolesSchema)
@blp.response(200, UserRowSchema)
def set_roles(body: dict[str, Any], username: str) -> User:
    """Replace a user's roles (administrators)."""
    actor = _admin()
    user = _user(username)
    user.set_roles(_known_roles(body["roles"]), actor=actor)
    services().orchestrator.save_user(user)
    return user


@blp.route("/users/<username>/disable", methods=["POST"])
@blp.response(200, UserRowSchema)
def disable(username: str) -> User:
    """Disable a user and end their sessions (administrators)."""
    actor = _admin()
    user = _user(username)
    user.disable(actor=actor)
    services().orchestrator.save_user(user)
    return user


@blp.route("/users/<username>/revoke-tokens", methods=["POST"])
@blp.response(204)
def revoke(username: str) -> None:
    """End every token and session of a user (administrators)."""
    actor = _admin()
    user = _user(username)
    user.revoke_tokens(actor=actor)
    services().orchestrator.save_user(user)
