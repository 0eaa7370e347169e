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

from alur import backup
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
from orchestrator.application import Orchestrator
from orchestrator.errors import AlurError
from orchestrator.passwords import hash_password
from orchestrator.users import User
from projections.pg_runner import run_projection

log = logging.getLogger(__name__)


def cmd_serve(services: Services, args: argparse.Namespace) -> int:
    from api.app import create_app

    _report_deployments(deploy_all(services))
    if services.config.env != "production":
        created = seed_demo_users(services)
        if created:
            print(f"demo users created: {', '.join(created)} (password: {DEMO_PASSWORD})")
    check_production(services)
    if services.config.projections_in_process:
        services.projections.catch_up()
        services.projections.start()
    app = create_app(services)
    print(f"Alur on http://{args.host}:{args.port}/  (store: {services.config.url})")
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
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
    return 0


def cmd_projections_status(services: Services, args: argparse.Namespace) -> int:
    print(json.dumps(services.projections.status(), indent=2))
    return 0


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
    threads = [threading.Thread(target=_run_one, args=(spec, env, stop, args.interval),
                                daemon=True) for spec in services.specs]
    for thread in threads:
        thread.start()
    with contextlib.suppress(KeyboardInterrupt):
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
    stop.set()
    return 0


def _run_one(spec: Any, env: dict[str, str], stop: threading.Event, interval: float) -> None:
    while not stop.is_set():  # stand by while another process runs this projection
        try:
            active = run_projection(Orchestrator, spec, env, stop)
        except Exception:  # e.g. the database refused or dropped us: log it and try again
            log.exception("projection %s failed; retrying", spec.projection_class.name)
            active = False
        if not active:
            stop.wait(interval * 10)


def cmd_audit_verify(services: Services, args: argparse.Namespace) -> int:
    from orchestrator.audit import Auditor

    auditor = Auditor(services.orchestrator)
    results = [auditor.verify(args.case_id)] if args.case_id else list(auditor.verify_all())
    broken = [r for r in results if not r.ok]
    for result in results:
        bad = result.first_bad
        verdict = "ok" if bad is None else f"BROKEN at event {bad.seq} ({bad.problem}): " \
            f"{bad.detail}"
        print(f"{result.originator_id}  {result.events:>4} events  {result.head_hash[:16]}  "
              f"{verdict}")
    print(f"{len(results)} case(s) verified, {len(broken)} with a broken chain",
          file=sys.stderr if broken else sys.stdout)
    return 1 if broken else 0


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
    audit = sub.add_parser("audit").add_subparsers(dest="action", required=True)
    verify = audit.add_parser("verify", help="recompute hash chains (every case by default)")
    verify.add_argument("case_id", nargs="?", type=uuid.UUID)
    verify.set_defaults(func=cmd_audit_verify)
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
