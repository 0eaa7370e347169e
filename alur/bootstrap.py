"""Build every service from one Config: used by the Flask app, the CLI and the runner."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from alur.config import Config, eventsourcing_env
from orchestrator.application import Orchestrator
from orchestrator.commands import Actor, DeployProcess
from orchestrator.engine import executable_process_ids
from orchestrator.errors import ServiceMisconfigured
from orchestrator.passwords import hash_password
from orchestrator.roles import SYSTEM_ROLES, RoleRegistry
from orchestrator.sealing import Sealer, decode_key
from orchestrator.standards import load_standards
from orchestrator.users import User
from orchestrator.worktime import Calendar
from projections.inbox import InboxProjection, PostgresInboxView, SQLiteInboxView
from projections.pg_runner import schema_lock
from projections.queries import InboxQueries
from projections.runner import Projections, ProjectionSpec

log = logging.getLogger(__name__)
SYSTEM = Actor("system", frozenset({"pemilik_proses"}))
DEMO_PASSWORD = "demo-alur-2025"


@dataclass
class Services:
    """The composed application: write side, read side and shared helpers."""

    config: Config
    roles: RoleRegistry
    calendar: Calendar
    orchestrator: Orchestrator
    projections: Projections
    inbox: InboxQueries
    specs: list[ProjectionSpec]

    def close(self) -> None:
        self.projections.close()
        self.orchestrator.close()


def bootstrap(config: Config) -> Services:
    roles = RoleRegistry.load(config.processes_dir / "roles.yaml")
    calendar = Calendar(config.timezone, config.office_hours, config.friday_hours,
                        config.cuti_bersama)
    standards = load_standards(config.processes_dir / "catalogue")
    key = config.resolved_sensitive_key()
    # the configured calendar rides on a subclass, so the library's ProjectionRunner (which
    # constructs projection_class(view=...)) builds the same projection as our catch-up loop
    inbox = type("InboxProjection", (InboxProjection,), {"name": "inbox", "calendar": calendar})
    specs = [ProjectionSpec(inbox, SQLiteInboxView, PostgresInboxView)]
    with schema_lock(eventsourcing_env(config)):  # processes starting together take turns
        orchestrator = Orchestrator(env=eventsourcing_env(config), roles=roles,
                                    standards=standards,
                                    sealer=Sealer(decode_key(key) if key else None),
                                    snapshot_key=config.resolved_secret_key())
        projections = Projections(orchestrator, specs,
                                  lambda name: eventsourcing_env(config, name),
                                  in_process=config.projections_in_process)
    return Services(config, roles, calendar, orchestrator, projections,
                    InboxQueries(projections.view("inbox")), specs)


def deploy_all(services: Services, directory: Path | None = None) -> list[tuple[str, int]]:
    """Deploy every BPMN file in processes/bpmn (a new version only where the file changed)."""
    deployed = []
    for path in sorted((directory or services.config.processes_dir / "bpmn").glob("*.bpmn")):
        bpmn = path.read_bytes()
        for key in executable_process_ids(bpmn):
            version = services.orchestrator.deploy(DeployProcess(key, bpmn, SYSTEM))
            deployed.append((key, version))
    return deployed


def lane_roles(services: Services) -> list[str]:
    """Every role that is a lane of a deployed process, in registry order."""
    used: set[str] = set()
    for key in services.orchestrator.process_keys():
        model, _ = services.orchestrator.model(key)
        used.update(model.lanes.values())
    return [key for key in services.roles.roles if key in used]


def check_production(services: Services) -> None:
    """With ALUR_ENV=production, refuse to run with demo credentials or a generated secret."""
    config = services.config
    if config.env != "production":
        return
    if not config.secret_key:
        raise ServiceMisconfigured("ALUR_SECRET_KEY must be set in production")
    if not config.sensitive_key:
        raise ServiceMisconfigured("ALUR_SENSITIVE_KEY must be set in production")
    app = services.orchestrator
    demo = [u.username for u in map(app.find_user, app.usernames()) if u and u.demo and u.active]
    if demo:
        raise ServiceMisconfigured(
            f"demo users exist ({', '.join(demo[:5])}{'…' if len(demo) > 5 else ''}); "
            "run `alur users disable-demo` and `alur users create-admin` first")


def seed_demo_users(services: Services, password: str = DEMO_PASSWORD) -> list[str]:
    """One demo user per lane role (username = role key) plus the system roles."""
    app = services.orchestrator
    created = []
    password_hash = None
    for role in [*lane_roles(services), *SYSTEM_ROLES]:
        if app.find_user(role) is not None:
            continue
        password_hash = password_hash or hash_password(password)
        app.register_user(User(username=role, full_name=f"Demo {services.roles.name(role)}",
                               roles=[role], password_hash=password_hash, demo=True))
        created.append(role)
    return created
