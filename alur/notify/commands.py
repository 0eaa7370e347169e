"""``alur notify run | status | reminders``: the sender and the reminder scheduler as commands."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from alur.notify.reminders import due_reminders
from alur.notify.wiring import sender

REMIND_EVERY = 60.0  # seconds: reminders are about hours, sending about seconds
_last_reminders: dict[int, float] = {}


def _pass(services: Any) -> None:
    """Before each sending pass: the read side up to date, the reminders due now issued
    (at most once a minute)."""
    services.projections.refresh()
    if time.monotonic() - _last_reminders.get(id(services), -REMIND_EVERY) >= REMIND_EVERY:
        _last_reminders[id(services)] = time.monotonic()
        if due_reminders(services, datetime.now(UTC)):
            services.projections.refresh()


def start_in_serve(services: Any) -> None:
    """Inside ``alur serve``: send (and remind) in a background thread."""
    interval = services.config.notify_interval
    if interval > 0:
        sender(services).start(interval, before=lambda: _pass(services))


def cmd_run(services: Any, args: argparse.Namespace) -> int:
    outbox = sender(services)
    if args.once:
        _pass(services)
        report = outbox.run_once()
        print(f"sent {report.sent}, retried {report.retried}, failed {report.failed},"
              f" unconfirmed {report.unconfirmed}, skipped {report.skipped}")
        return 0
    outbox.run_forever(args.interval or services.config.notify_interval or 5.0,
                       before=lambda: _pass(services))
    return 0


def cmd_status(services: Any, args: argparse.Namespace) -> int:
    services.projections.refresh()
    counts = services.notifications.counts()
    for state in ("pending", "sending", "handing_over", "retry", "sent", "failed",
                  "unconfirmed"):
        print(f"{state:13} {counts.get(state, 0)}")
    return 1 if counts.get("failed") or counts.get("unconfirmed") else 0


def cmd_reminders(services: Any, args: argparse.Namespace) -> int:
    services.projections.refresh()
    at = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    print(f"{due_reminders(services, at)} reminders issued")
    return 0


def add_parser(sub: Any) -> None:
    notify = sub.add_parser("notify", help="send notifications, reminders").add_subparsers(
        dest="action", required=True)
    run = notify.add_parser("run", help="send the outbox (and issue reminders) until stopped")
    run.add_argument("--interval", type=float, default=0.0)
    run.add_argument("--once", action="store_true", help="one pass, then exit")
    run.set_defaults(func=cmd_run)
    notify.add_parser("status", help="deliveries per state (exit 1 if any failed)"
                      ).set_defaults(func=cmd_status)
    reminders = notify.add_parser("reminders", help="issue the reminders due now (or --at)")
    reminders.add_argument("--at", help="ISO 8601 moment with offset (default: now)")
    reminders.set_defaults(func=cmd_reminders)
