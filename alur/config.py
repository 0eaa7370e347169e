"""Typed configuration, read once from ``ALUR_*`` environment variables."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("alur"))


@dataclass(frozen=True)
class Config:
    """Everything the service needs to start; tests build their own."""

    database_url: str = ""
    data_dir: Path = field(default_factory=_default_data_dir)
    processes_dir: Path = PROJECT_ROOT / "processes"
    secret_key: str = ""
    sensitive_key: str = ""  # base64 of 32 bytes: seals WBS/gratifikasi reporters (AES-GCM)
    env: str = "demo"  # "demo" seeds demo users; "production" refuses demo credentials
    timezone: str = "Asia/Makassar"
    office_hours: str = "08:00-16:00"
    friday_hours: str = "08:00-16:30"
    cuti_bersama: tuple[str, ...] = ()
    token_ttl_seconds: int = 8 * 3600
    snapshot_interval: int = 50
    secure_cookies: bool = False  # True behind TLS: session cookies get the Secure flag
    pg_pool_size: int = 2  # kept open per store and process: processes share max_connections
    pg_max_overflow: int = 10
    projections_in_process: bool = True
    aggregate_cache: int = 1000  # hot aggregates kept per process (0: none), see eventsourcing_env
    checkpoint_key: str = ""  # base64 of the raw 32-byte Ed25519 key that signs checkpoints
    checkpoint_file: Path | None = None  # default <data dir>/checkpoints.jsonl
    checkpoint_interval: float = 300.0  # seconds between checkpoints in `alur serve` (0: none)
    # /healthz says "degraded" past either: notifications behind, or the age (seconds) of the
    # oldest notification a projection has not processed yet
    health_max_lag: int = 1000
    health_max_age_seconds: float = 30.0
    # notifications (alur/notify): the outbox's channels and how the sender behaves
    smtp_url: str = ""  # smtp://user:pass@host:port[?starttls=1] or smtps://…; empty: no e-mail
    mail_from: str = "Alur KPU Kota Bontang <alur@localhost>"
    whatsapp_url: str = ""  # an HTTP endpoint taking {to, message, id} as JSON; empty: none
    whatsapp_token: str = ""  # sent as "Authorization: Bearer <token>"
    base_url: str = "http://127.0.0.1:8000"  # links in messages
    notify_interval: float = 5.0  # seconds between the sender's looks at the outbox (0: off)
    notify_max_age_hours: float = 72.0  # older outbox rows are never sent
    scheduler_interval: float = 30.0  # seconds between scheduler ticks in `alur serve` (0: off)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Build a Config from ``ALUR_*`` variables (see README, Configuration)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("ALUR_DATA_DIR") or _default_data_dir())
        cuti = tuple(d for d in env.get("ALUR_CUTI_BERSAMA", "").split(",") if d.strip())
        return cls(
            database_url=env.get("ALUR_DATABASE_URL", ""),
            data_dir=data_dir,
            processes_dir=Path(env.get("ALUR_PROCESSES_DIR") or PROJECT_ROOT / "processes"),
            secret_key=env.get("ALUR_SECRET_KEY", ""),
            sensitive_key=env.get("ALUR_SENSITIVE_KEY", ""),
            env=env.get("ALUR_ENV", "demo"),
            office_hours=env.get("ALUR_OFFICE_HOURS", "08:00-16:00"),
            friday_hours=env.get("ALUR_FRIDAY_HOURS", "08:00-16:30"),
            cuti_bersama=tuple(d.strip() for d in cuti),
            token_ttl_seconds=int(env.get("ALUR_TOKEN_TTL", str(8 * 3600))),
            projections_in_process=env.get("ALUR_PROJECTIONS_IN_PROCESS", "1") != "0",
            secure_cookies=env.get("ALUR_SECURE_COOKIES",
                                   "1" if env.get("ALUR_ENV") == "production" else "0") == "1",
            pg_pool_size=int(env.get("ALUR_PG_POOL_SIZE", "2")),
            pg_max_overflow=int(env.get("ALUR_PG_MAX_OVERFLOW", "10")),
            aggregate_cache=int(env.get("ALUR_AGGREGATE_CACHE", "1000")),
            checkpoint_key=env.get("ALUR_CHECKPOINT_KEY", ""),
            checkpoint_file=Path(env["ALUR_CHECKPOINT_FILE"])
            if env.get("ALUR_CHECKPOINT_FILE") else None,
            checkpoint_interval=float(env.get("ALUR_CHECKPOINT_INTERVAL", "300")),
            health_max_lag=int(env.get("ALUR_HEALTH_MAX_LAG", "1000")),
            health_max_age_seconds=float(env.get("ALUR_HEALTH_MAX_AGE", "30")),
            smtp_url=env.get("ALUR_SMTP_URL", ""),
            mail_from=env.get("ALUR_MAIL_FROM") or cls.mail_from,
            whatsapp_url=env.get("ALUR_WHATSAPP_URL", ""),
            whatsapp_token=env.get("ALUR_WHATSAPP_TOKEN", ""),
            base_url=env.get("ALUR_BASE_URL") or cls.base_url,
            notify_interval=float(env.get("ALUR_NOTIFY_INTERVAL", "5")),
            notify_max_age_hours=float(env.get("ALUR_NOTIFY_MAX_AGE_HOURS", "72")),
            scheduler_interval=float(env.get("ALUR_SCHEDULER_INTERVAL", "30")),
        )

    @property
    def url(self) -> str:
        """The event store URL; SQLite under the data dir by default."""
        return self.database_url or f"sqlite:///{self.data_dir / 'alur.sqlite'}"

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith(("postgresql://", "postgres://"))

    def resolved_secret_key(self) -> str:
        """The signing key; in demo mode one is generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def resolved_sensitive_key(self) -> str:
        """The reporters' sealing key; generated once into the data dir in demo mode only.

        In production it must be set (every worker needs the same key); without it, starting
        or opening a sensitive case is refused rather than sealed with a key nobody keeps.
        """
        if self.sensitive_key or self.env == "production":
            return self.sensitive_key
        path = self.data_dir / "sensitive.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode("ascii"))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def checkpoint_path(self) -> Path:
        """Where checkpoints are appended, outside the event store."""
        return self.checkpoint_file or self.data_dir / "checkpoints.jsonl"

    def resolved_checkpoint_key(self) -> str:
        """The checkpoint signing key; generated once into the data dir in demo mode only
        (in production it must be set, and kept apart from the database)."""
        if self.checkpoint_key or self.env == "production":
            return self.checkpoint_key
        path = self.data_dir / "checkpoint.key"
        if not path.exists():  # an Ed25519 private key is 32 random bytes
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode("ascii"))
            path.chmod(0o600)
        return path.read_text().strip()


def eventsourcing_env(config: Config, name: str = "") -> dict[str, str]:
    """The eventsourcing library's persistence settings, derived from the URL in one place.

    ``name`` selects a separate store for a projection: on SQLite its own file (the library's
    SQLite tracking table is keyed by upstream application only), on PostgreSQL its own tables.
    """
    env = {"CREATE_TABLE": "y"}
    if config.aggregate_cache > 0 and not name:
        # hot aggregates stay in memory; before each use the repository fast-forwards a cached
        # one with the events stored since, so the store still decides (several processes)
        env["AGGREGATE_CACHE_MAXSIZE"] = str(config.aggregate_cache)
    if config.is_postgres:
        url = urlparse(config.url)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=url.path.lstrip("/"),
            POSTGRES_HOST=url.hostname or "127.0.0.1",
            POSTGRES_PORT=str(url.port or 5432),
            POSTGRES_USER=unquote(url.username or "postgres"),
            POSTGRES_PASSWORD=unquote(url.password or ""),
            # per store and process; several processes share the server's max_connections
            POSTGRES_POOL_SIZE=str(config.pg_pool_size),
            POSTGRES_MAX_OVERFLOW=str(config.pg_max_overflow),
        )
        schema = dict(p.split("=", 1) for p in url.query.split("&") if "=" in p).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema
    else:
        path = Path(config.url.removeprefix("sqlite:///"))
        if name:
            path = path.with_name(f"{path.stem}-{name}{path.suffix}")
        path.parent.mkdir(parents=True, exist_ok=True)
        env.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=str(path))
    return env
