"""The ``alur`` command line: serve, processes, users, projections."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import pathlib
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from alur import backup, calendar_cli, scheduler
from alur.bootstrap import (
    DEMO_PASSWORD,
    DeployOutcome,
    Services,
    bootstrap,
    check_production,
    deploy_all,
    seed_demo_users,
)
from alur.config import Config, eventsourcing_env
from alur.notify import commands as notify_commands
from alur.serving import claim_store
from orchestrator.anchoring import Checkpoint
from orchestrator.application import Orchestrator
from orchestrator.checkpoint_store import pick_line
from orchestrator.errors import AlurError
from orchestrator.passwords import hash_password
from orchestrator.users import User
from projections.pg_runner import run_projection

log = logging.getLogger(__name__)


def cmd_serve(services: Services, args: argparse.Namespace) -> int:
    from api.app import create_app

    claim_store(services.config)  # SQLite: one serving process; a second one is refused here
    _report_deployments(deploy_all(services, on_bad_stream=_report_bad_stream))
    if services.config.env != "production":
        created = seed_demo_users(services, on_bad_stream=_report_bad_stream)
        if created:
            print(f"demo users created: {', '.join(created)} (password: {DEMO_PASSWORD})")
    check_production(services)
    if services.config.projections_in_process:
        services.projections.catch_up()
        services.projections.start()
        _report_skipped(services)
    if services.config.checkpoint_interval > 0:
        _start_checkpoints(services, services.config.checkpoint_interval)
    notify_commands.start_in_serve(services)
    if services.config.scheduler_interval > 0:
        scheduler.start_thread(services, services.config.scheduler_interval, _print_tick)
    app = create_app(services)
    print(f"Alur on http://{args.host}:{args.port}/  (store: {services.config.url})")
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def _report_bad_stream(what: str, exc: Exception) -> None:
    print(f"warning: {what} could not be read, skipped: {type(exc).__name__}: {exc}"[:500],
          file=sys.stderr)


def _report_skipped(services: Services) -> None:
    for row in services.projections.status():
        if row["skipped"]:
            print(f"warning: projection {row['name']} skipped {row['skipped']} notification(s)"
                  " it could not apply; see `alur projections status`", file=sys.stderr)


def _start_checkpoints(services: Services, interval: float) -> threading.Thread:
    """Inside ``alur serve``: a signed checkpoint now, then every interval if the log grew."""
    anchor = services.anchor()
    thread = threading.Thread(target=anchor.run_every,
                              args=(interval, threading.Event(), _print_checkpoint),
                              daemon=True, name="alur-checkpoints")
    thread.start()
    return thread


def _print_checkpoint(checkpoint: Checkpoint) -> None:
    head = checkpoint.head
    print(f"checkpoint {head.time}: {head.size} records up to notification {head.last_id}, "
          f"root {head.root}", flush=True)


def _print_tick(report: scheduler.TickReport) -> None:
    print(f"scheduler: {report.fired} timer(s) fired, {report.reminded} reminder(s), "
          f"{report.escalated} escalation(s), {report.started} scheduled start(s)", flush=True)


def cmd_scheduler_run(services: Services, args: argparse.Namespace) -> int:
    """Fire timers, remind, escalate and start scheduled work in this process: on PostgreSQL
    one active scheduler per database (the others stand by), on SQLite the one process that
    serves the store."""
    claim_store(services.config)  # SQLite: it writes, so it is the store's serving process
    if args.once:
        report = scheduler.Scheduler(services).tick()
        _print_tick(report)
        return 0
    print(f"scheduler: every {args.interval:g} s (Ctrl-C to stop)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        scheduler.Scheduler(services).run(
            args.interval, threading.Event(), _print_tick,
            lambda state: print(f"scheduler: {state}", flush=True))
    return 0


def cmd_processes_list(services: Services, args: argparse.Namespace) -> int:
    app = services.orchestrator
    for key in app.process_keys():
        definition = app.definition(key)
        info = definition.version_info()
        print(f"{key:<14} v{info.version:<3} {info.sha256[:12]}  {info.name}")
    return 0


def cmd_processes_deploy(services: Services, args: argparse.Namespace) -> int:
    _report_deployments(deploy_all(services))
    return 0


def _report_deployments(outcomes: list[DeployOutcome]) -> None:
    """One line per process: deployed from its file, unchanged, or kept at a newer version."""
    for outcome in outcomes:
        print(outcome.message)


def cmd_users_seed_demo(services: Services, args: argparse.Namespace) -> int:
    if services.config.env == "production":
        print("refused: demo users are not allowed with ALUR_ENV=production", file=sys.stderr)
        return 2
    created = seed_demo_users(services)
    print(f"{len(created)} demo user(s) created; password: {DEMO_PASSWORD}")
    return 0


def cmd_users_create_admin(services: Services, args: argparse.Namespace) -> int:
    """Create the first administrator; the password comes from stdin (or a prompt)."""
    app = services.orchestrator
    if app.find_user(args.username) is not None:
        print(f"user '{args.username}' exists", file=sys.stderr)
        return 2
    password = (getpass.getpass("password: ") if sys.stdin.isatty()
                else sys.stdin.readline().rstrip("\n"))
    if len(password) < 12:
        print("refused: the password needs at least 12 characters", file=sys.stderr)
        return 2
    app.register_user(User(username=args.username, full_name=args.full_name,
                           roles=["administrator"], password_hash=hash_password(password)))
    print(f"administrator '{args.username}' created")
    return 0


def cmd_users_disable_demo(services: Services, args: argparse.Namespace) -> int:
    app = services.orchestrator
    disabled = 0
    for user in filter(None, map(app.find_user, app.usernames())):
        if user.demo and user.active:
            user.disable(actor="cli")
            app.save_user(user)
            disabled += 1
    print(f"{disabled} demo user(s) disabled")
    return 0


def cmd_projections_rebuild(services: Services, args: argparse.Namespace) -> int:
    names = [args.name] if args.name else list(services.projections.projections)
    for name in names:
        if name not in services.projections.projections:
            print(f"unknown projection '{name}'", file=sys.stderr)
            return 2
        count = services.projections.rebuild(name)
        print(f"{name}: rebuilt from {count} notification(s)")
        _print_skipped(services, name, sys.stderr)
    return 0


def cmd_projections_status(services: Services, args: argparse.Namespace) -> int:
    rows = services.projections.status()
    print(json.dumps(rows, indent=2))
    for row in rows:
        _print_skipped(services, row["name"], sys.stdout)
    return 0


def _print_skipped(services: Services, name: str, file: Any) -> None:
    """One line per notification the projection skipped (see projections/runner.py)."""
    for row in services.projections.skipped(name):
        print(f"{name}: skipped notification {row['notification_id']} "
              f"({row['originator_id']} v{row['originator_version']}, {row['topic']}): "
              f"{row['error']}", file=file)


def cmd_projections_run(services: Services, args: argparse.Namespace) -> int:
    """Follow the log in this process: on PostgreSQL with the library's ProjectionRunner,
    one active runner per projection; on SQLite with the catch-up loop."""
    print("following the event log (Ctrl-C to stop)")
    if not services.config.is_postgres:
        with contextlib.suppress(KeyboardInterrupt):
            services.projections.run_forever(args.interval)
        return 0
    stop = threading.Event()
    env = eventsourcing_env(services.config)
    threads = [threading.Thread(target=_run_one,
                                args=(spec, env, stop, args.interval, services.projections),
                                daemon=True) for spec in services.specs]
    for thread in threads:
        thread.start()
    with contextlib.suppress(KeyboardInterrupt):
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
    stop.set()
    return 0


def _run_one(spec: Any, env: dict[str, str], stop: threading.Event, interval: float,
             projections: Any) -> None:
    name = spec.projection_class.name
    while not stop.is_set():  # stand by while another process runs this projection
        try:
            active = run_projection(Orchestrator, spec, env, stop)
        except Exception:  # e.g. the database refused or dropped us: log it and try again
            log.exception("projection %s failed; retrying", name)
            active = False
            # an event the library's runner cannot decode stops it every time: the catch-up
            # loop records it as skipped and moves the position past it (tracking decides)
            try:
                projections.catch_up([name])
            except Exception:
                log.exception("projection %s: catch-up failed too", name)
        if not active:
            stop.wait(interval * 10)


def cmd_audit_verify(services: Services, args: argparse.Namespace) -> int:
    from orchestrator.audit import Auditor

    report = Auditor(services.orchestrator).verify_store(args.case_id)
    for line in report.lines():
        print(line)
    print(report.summary(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_audit_verify_against(services: Services, args: argparse.Namespace) -> int:
    """The whole store against a signed checkpoint: unchanged up to it, and extending it."""
    checkpoint = pick_line(args.against, args.line)
    result = services.anchor(args.public_key).check(checkpoint)
    for line in result.report():
        print(line, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def cmd_audit_verify_all(services: Services, args: argparse.Namespace) -> int:
    """``audit verify``: the hash chains and, with ``--against``, a signed checkpoint."""
    anchored = cmd_audit_verify_against(services, args) if args.against else 0
    return max(anchored, cmd_audit_verify(services, args))


def cmd_audit_checkpoint(services: Services, args: argparse.Namespace) -> int:
    """Sign the store's Merkle root now (or every ``--every`` seconds when it grew)."""
    anchor = services.anchor()
    if args.every:
        print(f"writing checkpoints to {anchor.path} every {args.every:g} s (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            anchor.run_every(args.every, threading.Event(), _print_checkpoint)
        return 0
    checkpoint = anchor.write()
    assert checkpoint is not None
    _print_checkpoint(checkpoint)
    print(f"appended to {anchor.path}")
    return 0


def cmd_audit_export(services: Services, args: argparse.Namespace) -> int:
    from api.export import export_document, render_pdf
    from orchestrator.commands import Actor

    actor = Actor(f"cli:{getpass.getuser()}")
    what = f"export.{args.format} (cli)"
    doc = export_document(services.orchestrator, args.case_id, actor, what)
    if args.format == "pdf":
        args.output.write_bytes(render_pdf(doc, services.orchestrator))
    else:
        args.output.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{args.output}: {len(doc['events'])} events, head {doc['verification']['head_hash']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alur", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="deploy processes, seed demo users, serve HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)
    processes = sub.add_parser("processes").add_subparsers(dest="action", required=True)
    processes.add_parser("list").set_defaults(func=cmd_processes_list)
    processes.add_parser("deploy", help="deploy processes/bpmn/*.bpmn").set_defaults(
        func=cmd_processes_deploy)
    users = sub.add_parser("users").add_subparsers(dest="action", required=True)
    users.add_parser("seed-demo").set_defaults(func=cmd_users_seed_demo)
    admin = users.add_parser("create-admin", help="create an administrator (password on stdin)")
    admin.add_argument("username")
    admin.add_argument("--full-name", default="Administrator")
    admin.set_defaults(func=cmd_users_create_admin)
    users.add_parser("disable-demo", help="disable every demo user").set_defaults(
        func=cmd_users_disable_demo)
    backups = sub.add_parser("backup", help="back up / restore the event store").add_subparsers(
        dest="action", required=True)
    for action, func in (("create", cmd_backup_create), ("restore", cmd_backup_restore)):
        parser_ = backups.add_parser(action)
        parser_.add_argument("file", type=pathlib.Path)
        parser_.set_defaults(func=func, bare=True)
    proj = sub.add_parser("projections").add_subparsers(dest="action", required=True)
    rebuild = proj.add_parser("rebuild", help="drop and replay one projection (or all)")
    rebuild.add_argument("name", nargs="?")
    rebuild.set_defaults(func=cmd_projections_rebuild)
    proj.add_parser("status").set_defaults(func=cmd_projections_status)
    run = proj.add_parser("run", help="follow the log in this process")
    run.add_argument("--interval", type=float, default=0.5)
    run.set_defaults(func=cmd_projections_run)
    notify_commands.add_parser(sub)
    calendar_cli.add_parser(sub)
    sched = sub.add_parser("scheduler").add_subparsers(dest="action", required=True)
    sched_run = sched.add_parser("run", help="fire timers, escalate, start scheduled work")
    sched_run.add_argument("--interval", type=float, default=30.0)
    sched_run.add_argument("--once", action="store_true", help="one tick, then exit")
    sched_run.set_defaults(func=cmd_scheduler_run)
    audit = sub.add_parser("audit").add_subparsers(dest="action", required=True)
    verify = audit.add_parser("verify", help="recompute hash chains and snapshots (all by default)")
    verify.add_argument("case_id", nargs="?", type=uuid.UUID)
    verify.add_argument("--against", type=pathlib.Path, metavar="CHECKPOINT_FILE",
                        help="also prove the store extends a signed checkpoint of this file")
    verify.add_argument("--line", type=int, help="which checkpoint of the file (default: the "
                        "last; 1 = the first, -2 = the one before the last)")
    verify.add_argument("--public-key", help="base64 public key to check with (default: the "
                        "one of ALUR_CHECKPOINT_KEY)")
    verify.set_defaults(func=cmd_audit_verify_all)
    checkpoint = audit.add_parser("checkpoint", help="sign the store's Merkle root now")
    checkpoint.add_argument("--every", type=float, metavar="SECONDS",
                            help="keep running: one more whenever the log grew")
    checkpoint.set_defaults(func=cmd_audit_checkpoint)
    export = audit.add_parser("export", help="a case's events and verification, JSON or PDF")
    export.add_argument("case_id", type=uuid.UUID)
    export.add_argument("--format", choices=("json", "pdf"), default="json")
    export.add_argument("--output", type=pathlib.Path, required=True)
    export.set_defaults(func=cmd_audit_export)
    return parser


def cmd_backup_create(config: Config, args: argparse.Namespace) -> int:
    backup.create(config, args.file)
    print(f"event store backed up to {args.file}")
    return 0


def cmd_backup_restore(config: Config, args: argparse.Namespace) -> int:
    backup.restore(config, args.file)
    services = bootstrap(config)
    try:
        for name in services.projections.projections:
            services.projections.rebuild(name)
    finally:
        services.close()
    print(f"event store restored from {args.file}; projections rebuilt")
    return 0


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = config or Config.from_env()
    try:
        if getattr(args, "bare", False):  # works on the store itself, without services
            return args.func(config, args)
        services = bootstrap(config)
        handler: Callable[[Services, argparse.Namespace], int] = args.func
        try:
            return handler(services, args)
        finally:
            services.close()
    except AlurError as exc:
        details: Any = exc.details.get("errors")
        print(f"error: {exc.message}", file=sys.stderr)
        for line in details or []:
            print(f"  - {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
