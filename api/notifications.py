"""Notifications of the caller, the outbox's troubles (administrators), and the caller's own
profile and password."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from api.auth import current_actor, current_user, services
from api.notification_schemas import (
    DeliveryArgsSchema,
    DeliverySchema,
    MarkReadSchema,
    NotificationArgsSchema,
    NotificationSchema,
    PasswordChangeSchema,
    PositionSchema,
    ProfileSchema,
    UnreadSchema,
)
from orchestrator.errors import AuthenticationFailed, Conflict, NotFound
from orchestrator.notices import REQUEUEABLE, find_delivery, save_delivery
from orchestrator.passwords import hash_password, verify_password
from orchestrator.policy import ensure, may_manage_deliveries
from orchestrator.users import User
from projections.notification_queries import TROUBLE_STATES

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="Notifications, deliveries and the caller's profile")


def _wait(after: int | None) -> dict[str, str]:
    fresh = services().projections.wait(after, timeout=current_app.config["READ_WAIT"])
    return {"X-Alur-Stale": str(not fresh).lower()}


@blp.route("/notifications")
@blp.arguments(NotificationArgsSchema, location="query")
@blp.response(200, NotificationSchema(many=True))
def notifications(args: dict[str, Any]) -> tuple[list[dict[str, Any]], int, dict[str, str]]:
    """The caller's notifications, newest first (``X-Total-Count``)."""
    user = current_user()
    headers = _wait(args.get("after"))
    page = services().notifications.items(user.username, unread_only=args["unread"],
                                          limit=args["limit"], offset=args["offset"])
    return page.items, 200, {**headers, "X-Total-Count": str(page.total)}


@blp.route("/notifications/unread-count")
@blp.response(200, UnreadSchema)
def unread() -> dict[str, int]:
    """How many of the caller's notifications are unread (the bell)."""
    return {"unread": services().notifications.unread_count(current_user().username)}


@blp.route("/notifications/read", methods=["POST"])
@blp.arguments(MarkReadSchema)
@blp.response(200, PositionSchema)
def mark_read(body: dict[str, Any]) -> dict[str, int]:
    """Mark notifications read: the caller's ``ids``, or ``all`` of them."""
    return {"position": mark_read_for(current_user(), body["ids"], body["all"])}


def mark_read_for(user: User, ids: list[str], everything: bool) -> int:
    """Record the read marks as the user's event; returns its position (read-your-writes)."""
    owned = [] if everything else services().notifications.owned(user.username, ids)
    unknown = sorted(set(ids) - set(owned)) if not everything else []
    if unknown:
        raise NotFound(f"no notification {unknown[0]} of {user.username}")
    if not everything and not owned:
        return services().orchestrator.recorder.max_notification_id() or 0
    user.read_notifications(ids=owned, everything=everything)
    services().orchestrator.save_user(user)
    return services().orchestrator.recorder.max_notification_id() or 0


@blp.route("/notifications/deliveries")
@blp.arguments(DeliveryArgsSchema, location="query")
@blp.response(200, DeliverySchema(many=True))
def deliveries(args: dict[str, Any]) -> tuple[list[dict[str, Any]], int, dict[str, str]]:
    """Deliveries that did not get through (failed, unconfirmed, retry), or those of one
    ``state`` (administrators)."""
    actor = current_actor()
    ensure(may_manage_deliveries(actor), f"{actor.username} may not see deliveries")
    states = (args["state"],) if args.get("state") else TROUBLE_STATES
    page = services().notifications.deliveries(states, args["limit"], args["offset"])
    return page.items, 200, {"X-Total-Count": str(page.total)}


@blp.route("/notifications/deliveries/<uuid:delivery_id>/resend", methods=["POST"])
@blp.response(200, DeliverySchema)
def resend(delivery_id: Any) -> dict[str, Any]:
    """Send a failed or unconfirmed delivery again (administrators)."""
    actor = current_actor()
    ensure(may_manage_deliveries(actor), f"{actor.username} may not resend deliveries")
    return requeue(str(delivery_id), actor.username)


def requeue(delivery_id: str, actor: str) -> dict[str, Any]:
    row = services().notifications.delivery(delivery_id)
    delivery = find_delivery(services().orchestrator, row["key"]) if row else None
    if row is None or delivery is None:
        raise NotFound(f"no failed delivery {delivery_id}")
    if delivery.state not in REQUEUEABLE:
        raise Conflict(f"delivery {delivery_id} is {delivery.state}: only failed or"
                       " unconfirmed ones are sent again")
    delivery.requeue(actor=actor)
    save_delivery(services().orchestrator, delivery)
    return {**row, "state": delivery.state}


@blp.route("/me")
@blp.response(200, ProfileSchema)
def me() -> User:
    """The caller's profile."""
    return current_user()


@blp.route("/me", methods=["PUT"])
@blp.arguments(ProfileSchema)
@blp.response(200, ProfileSchema)
def update_me(body: dict[str, Any]) -> User:
    """Change the caller's name, NIP, position, e-mail and WhatsApp number."""
    user = current_user()
    user.update_profile(actor=user.username, **body)
    services().orchestrator.save_user(user)
    return user


@blp.route("/me/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(body: dict[str, Any]) -> None:
    """Change the caller's password (the current one is required); every token ends."""
    change_password_of(current_user(), body["current_password"], body["new_password"])


def change_password_of(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AuthenticationFailed("the current password is wrong")
    user.change_password(hash_password(new))
    services().orchestrator.save_user(user)
