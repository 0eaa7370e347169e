"""Deliveries of notifications (e-mail, WhatsApp) and due-time reminders, as aggregates.

A delivery's life is a stream of its own, keyed by the delivery key (source event, recipient,
channel), so that the event store's unique (id, version) decides every race: two senders
claiming the same delivery append the same version and one of them fails.

The state machine, and where a crash leaves it:

    pending ──claim──▶ sending ──hand over──▶ handing_over ──▶ sent
                          │                        │
                          ├──failed──▶ retry ──▶ (claim again)    └─(lease expired)─▶ unconfirmed
                          └──(lease expired)──▶ claimable again        (never resent by itself)

Before ``HandedOver`` nothing has reached the server (an SMTP transaction without its final
DATA is discarded), so a sender that died while ``sending`` is simply retried: at-least-once
up to the hand-over. From ``HandedOver`` on, the message may have been accepted: a sender that
died there leaves a delivery nobody can know was sent, and it becomes ``unconfirmed`` — shown
on the failure list, resent only when an administrator asks. At-most-once from the hand-over:
a crash never sends a message twice. A message's Message-ID derives from its key, so even a
resend an administrator asked for is recognisably the same message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError

from orchestrator.errors import Conflict
from orchestrator.hashchain import ChainedAggregate

PENDING, SENDING, HANDING_OVER, SENT = "pending", "sending", "handing_over", "sent"
RETRY, FAILED, UNCONFIRMED = "retry", "failed", "unconfirmed"
REQUEUEABLE = frozenset({FAILED, UNCONFIRMED})
REMINDER_KINDS = ("due_soon", "overdue")


def delivery_id(key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:delivery:{key}")


def reminder_id(task_id: str, kind: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:reminder:{task_id}:{kind}")


class Delivery(ChainedAggregate):
    """One message to one recipient on one channel: its attempts and their outcomes."""

    @staticmethod
    def create_id(key: str, **_: object) -> UUID:
        return delivery_id(key)

    @event("Claimed")
    def __init__(self, key: str, channel: str, sender: str, lease_until: str) -> None:
        self.key, self.channel = key, channel
        self.state, self.attempts = SENDING, 1
        self.sender, self.lease_until = sender, lease_until
        self.retry_at: str | None = None
        self.last_error = ""

    @event("Reclaimed")
    def reclaim(self, sender: str, lease_until: str) -> None:
        self.state, self.attempts = SENDING, self.attempts + 1
        self.sender, self.lease_until = sender, lease_until

    @event("HandedOver")
    def hand_over(self, attempt: int) -> None:
        self.state = HANDING_OVER

    @event("Sent")
    def sent(self, attempt: int, detail: str) -> None:
        self.state = SENT

    @event("AttemptFailed")
    def attempt_failed(self, attempt: int, error: str, retry_at: str | None) -> None:
        self.state = RETRY if retry_at else FAILED
        self.retry_at, self.last_error = retry_at, error

    @event("Unconfirmed")
    def unconfirm(self, attempt: int, reason: str) -> None:
        self.state = UNCONFIRMED
        self.last_error = reason

    @event("Requeued")
    def requeue(self, actor: str) -> None:
        self.state, self.retry_at = PENDING, None

    def claimable(self, now: datetime) -> bool:
        """Whether a sender may (re)claim it now: retry due, requeued, or its sender died
        before handing it over (the lease ran out)."""
        if self.state == PENDING:
            return True
        if self.state == RETRY:
            return self.retry_at is not None and datetime.fromisoformat(self.retry_at) <= now
        return self.state == SENDING and self._lease_over(now)

    def in_doubt(self, now: datetime) -> bool:
        """Handed over by a sender that never said how it went: it may have been sent."""
        return self.state == HANDING_OVER and self._lease_over(now)

    def _lease_over(self, now: datetime) -> bool:
        return datetime.fromisoformat(self.lease_until) <= now


class Reminder(ChainedAggregate):
    """A reminder that a step was due soon or overdue, issued once per step and kind by the
    notify pass before the scheduler's ``TaskReminded`` and ``TaskEscalated`` (in the case's
    own chain) became the one way a step's holder is reminded. No longer issued; its stored
    streams still decode, verify and project (the notifications they told stay)."""

    @staticmethod
    def create_id(task_id: str, kind: str, **_: object) -> UUID:
        return reminder_id(task_id, kind)

    @event("Issued")
    def __init__(self, task_id: str, case_id: str, kind: str, due_at: str, at: str) -> None:
        self.task_id, self.case_id, self.kind = task_id, case_id, kind
        self.due_at, self.at = due_at, at


def find_delivery(app: Application[UUID], key: str) -> Delivery | None:
    """The delivery's stream as stored (the read side may lag behind it)."""
    try:
        found: Any = app.repository.get(delivery_id(key))
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, Delivery) else None


def save_delivery(app: Application[UUID], delivery: Delivery) -> None:
    """Append the delivery's new events; Conflict when another sender moved it first."""
    try:
        app.save(delivery)
    except IntegrityError:
        raise Conflict(f"delivery {delivery.key} was moved by another sender") from None

