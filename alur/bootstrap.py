"""Build every service from one Config: used by the Flask app, the CLI and the runner."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.persistence import PersistenceError

from alur.config import Config, eventsourcing_env
from orchestrator.anchoring import CheckpointKey
from orchestrator.application import Orchestrator
from orchestrator.checkpoint_store import CheckpointTables
from orchestrator.checkpoints import Anchor
from orchestrator.commands import Actor, DeployProcess
from orchestrator.documents import Templates
from orchestrator.engine import executable_process_ids
from orchestrator.errors import AlurError, ProcessNotFound, ServiceMisconfigured
from orchestrator.office_calendar import CalendarBook
from orchestrator.passwords import hash_password
from orchestrator.registration import Registers
from orchestrator.roles import SYSTEM_ROLES, RoleRegistry
from orchestrator.sealing import Sealer, decode_key
from orchestrator.standards import load_standards
from orchestrator.users import User
from orchestrator.worktime import Calendar
from projections.inbox import InboxProjection, PostgresInboxView, SQLiteInboxView
from projections.notification_queries import NotificationQueries
from projections.notifications import (
    NotificationProjection,
    PostgresNotificationView,
    SQLiteNotificationView,
)
from projections.pg_runner import schema_lock
from projections.queries import InboxQueries
from projections.registers import (
    PostgresRegisterView,
    RegisterProjection,
    SQLiteRegisterView,
)
from projections.runner import Projections, ProjectionSpec

log = logging.getLogger(__name__)
SYSTEM = Actor("system", frozenset({"pemilik_proses"}))
DEMO_PASSWORD = "demo-alur-2025"
# told about a stream that could not be read at start-up (what, error); start-up goes on
OnBadStream = Callable[[str, Exception], None]


@dataclass
class Services:
    """The composed application: write side, read side and shared helpers."""

    config: Config
    roles: RoleRegistry
    calendar: CalendarBook  # the office calendar as recorded at each moment
    orchestrator: Orchestrator
    projections: Projections
    inbox: InboxQueries
    specs: list[ProjectionSpec]
    notifications: NotificationQueries

    def close(self) -> None:
        self.projections.close()
        self.orchestrator.close()

    def anchor(self, public_key: str | None = None) -> Anchor:
        """Signed checkpoints of this store (``public_key`` checks without the private key)."""
        key = self.config.resolved_checkpoint_key()
        return Anchor(self.orchestrator.recorder, self.config.checkpoint_path,
                      CheckpointKey.from_base64(key) if key else None, public_key,
                      self.config.timezone)


def bootstrap(config: Config) -> Services:
    roles = RoleRegistry.load(config.processes_dir / "roles.yaml")
    # the configuration seeds the office calendar; its OfficeCalendar stream's changes (made
    # on /kalender) follow it: orchestrator.calendar is the calendar as recorded at each moment
    seed = Calendar(config.timezone, config.office_hours, config.friday_hours,
                    config.cuti_bersama)
    standards = load_standards(config.processes_dir / "catalogue")
    key = config.resolved_sensitive_key()
    with schema_lock(eventsourcing_env(config)):  # processes starting together take turns
        registers = Registers.load(config.processes_dir / "catalogue")
        orchestrator = Orchestrator(env=eventsourcing_env(config), roles=roles,
                                    calendar=seed,
                                    standards=standards, registers=registers,
                                    templates=Templates.load(config.processes_dir / "templates",
                                                             registers),
                                    sealer=Sealer(decode_key(key) if key else None),
                                    snapshot_key=config.resolved_secret_key())
        calendar = orchestrator.calendar
        # the calendar rides on a subclass, so the library's ProjectionRunner (which
        # constructs projection_class(view=...)) builds the same projection as our catch-up
        inbox = type("InboxProjection", (InboxProjection,),
                     {"name": "inbox", "calendar": calendar})
        notifications = type("NotificationProjection", (NotificationProjection,),
                             {"name": "notifications", "roles": roles})
        specs = [ProjectionSpec(inbox, SQLiteInboxView, PostgresInboxView),
                 ProjectionSpec(RegisterProjection, SQLiteRegisterView, PostgresRegisterView),
                 ProjectionSpec(notifications, SQLiteNotificationView,
                                PostgresNotificationView)]
        # activations stored by reference are resolved from the versions this app loads
        for projection in (inbox, notifications):
            projection.resolve = staticmethod(orchestrator.resolved)  # type: ignore[attr-defined]
        projections = Projections(orchestrator, specs,
                                  lambda name: eventsourcing_env(config, name),
                                  in_process=config.projections_in_process)
        CheckpointTables(orchestrator.recorder).create()
    return Services(config, roles, calendar, orchestrator, projections,
                    InboxQueries(projections.view("inbox")), specs,
                    NotificationQueries(projections.view("notifications")))


@dataclass(frozen=True)
class DeployOutcome:
    """What start-up did with one process of one BPMN file, in a sentence for the operator."""

    key: str
    version: int  # the latest version afterwards
    deployed: bool
    message: str


def deploy_all(services: Services, directory: Path | None = None,
               on_bad_stream: OnBadStream | None = None) -> list[DeployOutcome]:
    """Deploy each process of processes/bpmn/*.bpmn whose file changed since it was last
    deployed from disk; a newer version from the modeler or the API stays the latest.

    With ``on_bad_stream``, a process whose stored history cannot be read is reported and
    skipped instead of stopping every other deployment."""
    directory = directory or services.config.processes_dir / "bpmn"
    outcomes = []
    for path in sorted(directory.glob("*.bpmn")):
        bpmn = path.read_bytes()
        shown = _shown(path, services.config.processes_dir.parent)
        for key in executable_process_ids(bpmn):
            try:
                outcomes.append(_deploy_file(services.orchestrator, key, bpmn, shown))
            except Exception as exc:
                _tolerate(on_bad_stream, f"process {key} ({path.name})", exc)
    return outcomes


def _deploy_file(app: Orchestrator, key: str, bpmn: bytes, shown: str) -> DeployOutcome:
    try:
        versions = app.definition(key).versions
    except ProcessNotFound:
        versions = []
    sha256 = hashlib.sha256(bpmn).hexdigest()
    from_disk = [v for v in versions if _from_disk(v)]
    last_disk: dict[str, Any] | None = from_disk[-1] if from_disk else None
    latest: dict[str, Any] | None = versions[-1] if versions else None
    if last_disk and latest and last_disk["sha256"] == sha256:
        since = f"{key}: file unchanged since v{last_disk['version']}"
        if latest["version"] == last_disk["version"]:
            return DeployOutcome(key, latest["version"], False, f"{since} (latest)")
        return DeployOutcome(key, latest["version"], False,
                             f"{since}; {_described(latest)} stays latest")
    if latest and latest["sha256"] == sha256:
        change = (f"changed since v{last_disk['version']}" if last_disk
                  else "not deployed from disk before")
        return DeployOutcome(key, latest["version"], False,
                             f"{key}: file {change} and equals the latest, "
                             f"{_described(latest)}; nothing deployed")
    version = app.deploy(DeployProcess(key, bpmn, SYSTEM, source=f"file:{shown}"))
    why = (f"changed since v{last_disk['version']}" if last_disk
           else "first from disk" if versions else "new process")
    return DeployOutcome(key, version, True, f"{key} v{version} deployed from {shown} ({why})")


def _from_disk(version: dict[str, Any]) -> bool:
    """Deployed from a file; before sources were recorded, every system deploy was."""
    source = version.get("source") or ""
    return source.startswith("file:") or (not source and version["deployed_by"] == SYSTEM.username)


def _described(version: dict[str, Any]) -> str:
    source = version.get("source") or "modeler or API"
    return f"v{version['version']} by {version['deployed_by']} ({source})"


def _shown(path: Path, base: Path) -> str:
    """The file as the operator knows it: relative to the processes directory's parent."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def _tolerate(on_bad_stream: OnBadStream | None, what: str, exc: Exception) -> None:
    """Report an unreadable stream and go on; re-raise domain and database errors (a bad
    BPMN file, a store that is down) and everything when nobody asked for tolerance."""
    if on_bad_stream is None or isinstance(exc, AlurError | PersistenceError):
        raise exc
    log.warning("%s could not be read: %s: %s", what, type(exc).__name__, exc)
    on_bad_stream(what, exc)


def lane_roles(services: Services, on_bad_stream: OnBadStream | None = None) -> list[str]:
    """Every role that is a lane of a deployed process, in registry order."""
    used: set[str] = set()
    for key in services.orchestrator.process_keys():
        try:
            model, _ = services.orchestrator.model(key)
        except Exception as exc:
            _tolerate(on_bad_stream, f"process {key}", exc)
            continue
        # a combined column's lane is held through its members: they get the demo users
        used.update(m for lane in model.lanes.values() for m in services.roles.members(lane))
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
    if not config.checkpoint_key:
        raise ServiceMisconfigured("ALUR_CHECKPOINT_KEY must be set in production (base64 of "
                                   "a 32-byte Ed25519 private key, kept apart from the database)")
    app = services.orchestrator
    users = (_readable_user(app, name) for name in app.usernames())
    demo = [u.username for u in users if u and u.demo and u.active]
    if demo:
        raise ServiceMisconfigured(
            f"demo users exist ({', '.join(demo[:5])}{'…' if len(demo) > 5 else ''}); "
            "run `alur users disable-demo` and `alur users create-admin` first")


def _readable_user(app: Orchestrator, username: str) -> User | None:
    """A user whose history cannot be read cannot log in either: reported, then left out."""
    try:
        return app.find_user(username)
    except Exception as exc:
        _tolerate(lambda what, error: None, f"user {username}", exc)
        return None


def seed_demo_users(services: Services, password: str = DEMO_PASSWORD,
                    on_bad_stream: OnBadStream | None = None) -> list[str]:
    """One demo user per lane role (username = role key) plus the system roles."""
    app = services.orchestrator
    created = []
    password_hash = None
    for role in [*lane_roles(services, on_bad_stream), *SYSTEM_ROLES]:
        try:
            if app.find_user(role) is not None:
                continue
        except Exception as exc:
            _tolerate(on_bad_stream, f"user {role}", exc)
            continue
        password_hash = password_hash or hash_password(password)
        app.register_user(User(username=role, full_name=f"Demo {services.roles.name(role)}",
                               roles=[role], password_hash=password_hash, demo=True))
        created.append(role)
    return created
