"""The outbox sender: claims due deliveries, sends them, records each outcome as an event.

Every step of a delivery is an event of its ``Delivery`` stream (orchestrator/notices.py),
appended before the step it announces; the stream, not the read side, decides. A crash:
- before ``HandedOver``: nothing reached the server; the claim's lease runs out and the next
  sender tries again (at-least-once up to here);
- after ``HandedOver``, before ``Sent``: it may have been delivered; the next sender marks it
  ``unconfirmed`` and never sends it again by itself (at-most-once from here): an
  administrator sees it on the failure list and may resend it.
So no crash sends a message twice, and none loses one silently.
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from alur.notify.channels import Channel, InDoubt, Outgoing, Permanent, Transient
from orchestrator.application import Orchestrator
from orchestrator.errors import AlurError, Conflict
from orchestrator.notices import Delivery, find_delivery, save_delivery
from projections.notice_texts import channel_of, contact_in
from projections.notification_queries import NotificationQueries

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)  # far longer than a channel's timeout (30 s)
BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)  # seconds before attempts 2, 3, …
MAX_ATTEMPTS = 7
Fault = Callable[[str], None]  # fault injection for tests: called at "claimed", "delivered"


@dataclass
class SendReport:
    """What one pass over the outbox did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    unconfirmed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


class Sender:
    """Sends the outbox's due deliveries through the configured channels."""

    def __init__(self, app: Orchestrator, queries: NotificationQueries,
                 channels: dict[str, Channel], base_url: str = "",
                 max_age: timedelta = timedelta(hours=72), name: str = "",
                 fault: Fault | None = None) -> None:
        self.app, self.queries, self.channels = app, queries, channels
        self.base_url = base_url.rstrip("/")
        self.max_age = max_age
        self.name = name or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.fault = fault or (lambda stage: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, now: datetime | None = None) -> SendReport:
        """One pass: every due delivery the read side lists, as its stream allows."""
        now = now or datetime.now(UTC)
        report = SendReport()
        for row in self.queries.due_deliveries(now, self.max_age):
            try:
                self._one(row, now, report)
            except Conflict:  # another sender moved it first
                report.skipped += 1
        return report

    def _one(self, row: dict[str, Any], now: datetime, report: SendReport) -> None:
        delivery = self._claim(row, now, report)
        if delivery is None:
            return
        self.fault("claimed")
        attempt = delivery.attempts
        try:
            channel, address = self._route(row)
            message = Outgoing(row["key"], address, row["subject"], self._body(row))
            detail = channel.send(message, lambda: self._hand_over(delivery, attempt))
        except InDoubt as exc:
            delivery.unconfirm(attempt=attempt, reason=str(exc)[:500])
            report.unconfirmed += 1
        except Transient as exc:
            retry_at = self._retry_at(now, attempt)
            delivery.attempt_failed(attempt=attempt, error=str(exc)[:500], retry_at=retry_at)
            report.retried += retry_at is not None
            report.failed += retry_at is None
        except Permanent as exc:
            delivery.attempt_failed(attempt=attempt, error=str(exc)[:500], retry_at=None)
            report.failed += 1
        else:
            self.fault("delivered")  # a crash here: delivered, never marked
            delivery.sent(attempt=attempt, detail=detail[:200])
            report.sent += 1
        save_delivery(self.app, delivery)

    def _claim(self, row: dict[str, Any], now: datetime,
               report: SendReport) -> Delivery | None:
        """The delivery, claimed by this sender (an event), or None when not ours to send."""
        lease = (now + LEASE).isoformat()
        delivery = find_delivery(self.app, row["key"])
        if delivery is None:
            delivery = Delivery(key=row["key"], channel=row["channel"], sender=self.name,
                                lease_until=lease)
        elif delivery.in_doubt(now):
            delivery.unconfirm(attempt=delivery.attempts,
                               reason="the sender stopped after handing it over; it may"
                                      " have been delivered")
            save_delivery(self.app, delivery)
            report.unconfirmed += 1
            return None
        elif delivery.claimable(now):
            delivery.reclaim(sender=self.name, lease_until=lease)
        else:
            report.skipped += 1
            return None
        save_delivery(self.app, delivery)
        return delivery

    def _hand_over(self, delivery: Delivery, attempt: int) -> None:
        delivery.hand_over(attempt=attempt)
        save_delivery(self.app, delivery)  # Conflict: taken over meanwhile, nothing sent

    def _route(self, row: dict[str, Any]) -> tuple[Channel, str]:
        """The channel and address; a sealed contact is opened here and nowhere else."""
        channel_name, address = row["channel"], row["address"]
        if row["sealed"]:
            try:
                address = contact_in(self.app.sealer.open(UUID(row["case_id"]), row["sealed"]))
            except AlurError as exc:
                raise Permanent(f"the reporter's contact cannot be opened: {exc}") from exc
            channel_name = channel_of(address) or ""
            if not channel_name:
                raise Permanent("the reporter gave no e-mail address or telephone number")
        channel = self.channels.get(channel_name)
        if channel is None:
            raise Permanent(f"no {channel_name or 'usable'} channel is configured")
        return channel, address

    def _body(self, row: dict[str, Any]) -> str:
        link = f"\n\n{self.base_url}{row['link']}" if row["link"] and self.base_url else ""
        return f"{row['body']}{link}\n\n— Alur, KPU Kota Bontang"

    @staticmethod
    def _retry_at(now: datetime, attempt: int) -> str | None:
        if attempt >= MAX_ATTEMPTS:
            return None
        return (now + timedelta(seconds=BACKOFF[min(attempt, len(BACKOFF)) - 1])).isoformat()

    # -- running ----------------------------------------------------------------------------

    def start(self, interval: float, before: Callable[[], None] | None = None) -> None:
        """Send in a background thread every ``interval`` seconds (inside ``alur serve``)."""
        self._thread = threading.Thread(target=self.run_forever, args=(interval, before),
                                        daemon=True, name="alur-notify")
        self._thread.start()

    def run_forever(self, interval: float, before: Callable[[], None] | None = None) -> None:
        while not self._stop.is_set():
            try:
                if before:
                    before()
                self.run_once()
            except Exception:  # keep sending; the error is logged and the pass retried
                log.exception("notification sender pass failed")
            self._stop.wait(interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
