"""The ``alur`` command line: serve, processes, users, projections."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from alur.bootstrap import DEMO_PASSWORD, Services, bootstrap, deploy_all, seed_demo_users
from alur.config import Config, eventsourcing_env
from orchestrator.application import Orchestrator
from orchestrator.errors import AlurError
from projections.pg_runner import run_projection


def cmd_serve(services: Services, args: argparse.Namespace) -> int:
    from api.app import create_app

    deployed = deploy_all(services)
    print(f"deployed {len(deployed)} process(es)")
    if services.config.env != "production":
        created = seed_demo_users(services)
        if created:
            print(f"demo users created: {', '.join(created)} (password: {DEMO_PASSWORD})")
    services.projections.catch_up()
    if services.config.projections_in_process:
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
    for key, version in deploy_all(services):
        print(f"{key} v{version}")
    return 0


def cmd_users_seed_demo(services: Services, args: argparse.Namespace) -> int:
    if services.config.env == "production":
        print("refused: demo users are not allowed with ALUR_ENV=production", file=sys.stderr)
        return 2
    created = seed_demo_users(services)
    print(f"{len(created)} demo user(s) created; password: {DEMO_PASSWORD}")
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
        if not run_projection(Orchestrator, spec, env, stop):
            stop.wait(interval * 10)


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
    proj = sub.add_parser("projections").add_subparsers(dest="action", required=True)
    rebuild = proj.add_parser("rebuild", help="drop and replay one projection (or all)")
    rebuild.add_argument("name", nargs="?")
    rebuild.set_defaults(func=cmd_projections_rebuild)
    proj.add_parser("status").set_defaults(func=cmd_projections_status)
    run = proj.add_parser("run", help="follow the log in this process")
    run.add_argument("--interval", type=float, default=0.5)
    run.set_defaults(func=cmd_projections_run)
    return parser


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    args = build_parser().parse_args(argv)
    services = bootstrap(config or Config.from_env())
    handler: Callable[[Services, argparse.Namespace], int] = args.func
    try:
        return handler(services, args)
    except AlurError as exc:
        details: Any = exc.details.get("errors")
        print(f"error: {exc.message}", file=sys.stderr)
        for line in details or []:
            print(f"  - {line}", file=sys.stderr)
        return 2
    finally:
        services.close()


if __name__ == "__main__":
    raise SystemExit(main())
