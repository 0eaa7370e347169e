"""``alur calendar show | declare | withdraw | hours``: the office calendar from the command
line, as a named administrator, through the same commands and policy as the page and API."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import Any

from orchestrator.commands import (
    Actor,
    ChangeOfficeHours,
    DeclareCutiBersama,
    WithdrawCutiBersama,
)
from orchestrator.errors import AlurError
from orchestrator.office_calendar import describe


def _actor(services: Any, username: str) -> Actor | None:
    user = services.orchestrator.find_user(username)
    if user is None or not user.active:
        print(f"error: no active user '{username}'", file=sys.stderr)
        return None
    return services.orchestrator.actor_of(username, user.roles)


def _run(services: Any, args: argparse.Namespace, command: Any) -> int:
    """Run ``command(actor)`` as the ``--as`` user, then show the calendar it left."""
    actor = _actor(services, args.actor)
    if actor is None:
        return 2
    try:
        command(actor)
    except AlurError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        for name, messages in (exc.details.get("errors") or {}).items():
            print(f"  - {name}: {' '.join(messages)}", file=sys.stderr)
        return 2
    return cmd_show(services, argparse.Namespace(year=None, quiet=True))


def cmd_show(services: Any, args: argparse.Namespace) -> int:
    book = services.calendar
    shown = describe(book, args.year or datetime.now(book.seed.tz).year)
    if not getattr(args, "quiet", False):
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    periods = "; ".join(f"from {p['effective_from']}: {p['office_hours']} (Fri "
                        f"{p['friday_hours']})" for p in shown["hours_from"])
    print(f"office hours {shown['office_hours']} (Fri {shown['friday_hours']})"
          f"{'; ' + periods if periods else ''}")
    print("cuti bersama: " + (", ".join(c["day"] for c in shown["cuti_bersama"]) or "none"))
    return 0


def cmd_declare(services: Any, args: argparse.Namespace) -> int:
    return _run(services, args, lambda actor: services.orchestrator.declare_cuti_bersama(
        DeclareCutiBersama(actor, args.day, args.reason, args.decree)))


def cmd_withdraw(services: Any, args: argparse.Namespace) -> int:
    return _run(services, args, lambda actor: services.orchestrator.withdraw_cuti_bersama(
        WithdrawCutiBersama(actor, args.day, args.reason, args.decree)))


def cmd_hours(services: Any, args: argparse.Namespace) -> int:
    return _run(services, args, lambda actor: services.orchestrator.change_office_hours(
        ChangeOfficeHours(actor, args.effective_from, args.office, args.friday, args.reason,
                          args.decree)))


def _changing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="actor", required=True, metavar="USERNAME",
                        help="the administrator who makes the change (recorded as 'by')")
    parser.add_argument("--reason", required=True)
    parser.add_argument("--decree", default="", help="e.g. 'SKB 3 Menteri Nomor … Tahun …'")


def add_parser(sub: Any) -> None:
    calendar = sub.add_parser("calendar", help="cuti bersama and office hours").add_subparsers(
        dest="action", required=True)
    show = calendar.add_parser("show", help="the calendar, the year's holidays, every change")
    show.add_argument("--year", type=int)
    show.set_defaults(func=cmd_show)
    for name, func, helped in (("declare", cmd_declare, "declare a cuti bersama"),
                               ("withdraw", cmd_withdraw, "withdraw a cuti bersama")):
        action = calendar.add_parser(name, help=helped)
        action.add_argument("day", type=date.fromisoformat, help="YYYY-MM-DD (WITA)")
        _changing(action)
        action.set_defaults(func=func)
    hours = calendar.add_parser("hours", help="office hours from a date on")
    hours.add_argument("--from", dest="effective_from", type=date.fromisoformat, required=True)
    hours.add_argument("--office", required=True, help="Monday to Thursday, e.g. 08:00-16:00")
    hours.add_argument("--friday", required=True, help="e.g. 08:00-16:30")
    _changing(hours)
    hours.set_defaults(func=cmd_hours)
