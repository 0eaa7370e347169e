"""``alur notify run | status``: the sender as commands. Reminders are the scheduler's
(``alur scheduler run``: ``TaskReminded`` and ``TaskEscalated`` in the case's chain; the
notifications projection tells the step's holder of them)."""

from __future__ import annotations

import argparse
from typing import Any

from alur.notify.wiring import sender


def _pass(services: Any) -> None:
    """Before each sending pass: the read side up to date."""
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


def add_parser(sub: Any) -> None:
    notify = sub.add_parser("notify", help="send notifications").add_subparsers(
        dest="action", required=True)
    run = notify.add_parser("run", help="send the outbox until stopped")
    run.add_argument("--interval", type=float, default=0.0)
    run.add_argument("--once", action="store_true", help="one pass, then exit")
    run.set_defaults(func=cmd_run)
    notify.add_parser("status", help="deliveries per state (exit 1 if any failed)"
                      ).set_defaults(func=cmd_status)
