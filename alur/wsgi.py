"""WSGI entry point for gunicorn: ``gunicorn 'alur.wsgi:create()'``.

Deployment of processes is a release step (``alur processes deploy``), not done per worker, so
that several workers starting at once do not race to deploy the same files. On SQLite one
serving process is allowed (``alur.serving``): a second worker is refused before it starts.
"""

from __future__ import annotations

from flask import Flask

from alur.bootstrap import bootstrap, check_production
from alur.config import Config
from alur.scheduler import start_thread
from alur.serving import claim_store
from api.app import create_app


def create() -> Flask:
    config = Config.from_env()
    claim_store(config)
    services = bootstrap(config)
    check_production(services)
    if config.projections_in_process:
        services.projections.start()
    if config.scheduler_interval > 0:  # one active per database; the others stand by
        start_thread(services, config.scheduler_interval)
    return create_app(services)
