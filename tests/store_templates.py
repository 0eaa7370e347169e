"""A store prepared once per test session (every process deployed, demo users seeded,
projections caught up) and copied into each test's fresh store: what ``alur serve`` would
have written, without paying for it in every test.

SQLite: the template's files are copied into the test's data directory. PostgreSQL: the
template schema's tables are copied into the test's schema (rows, indexes, and a sequence of
its own for each serial column, set past the copied rows). Each test then opens its copy
with ``bootstrap`` and runs ``deploy_all`` / ``seed_demo_users`` as usual: both find nothing
to do, so the test sees exactly what a fresh start would have given it.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import psycopg
from psycopg import sql

from alur.bootstrap import bootstrap, deploy_all, seed_demo_users
from alur.config import Config


def build(config: Config) -> None:
    """Write the template store described by ``config``."""
    services = bootstrap(config)
    try:
        deploy_all(services)
        seed_demo_users(services)
        services.projections.catch_up()
    finally:
        services.close()


def same_kind(template: Config, config: Config) -> bool:
    """Whether ``config`` differs from the template only in where it keeps its store."""
    return dataclasses.replace(config, data_dir=template.data_dir,
                               database_url=template.database_url) == template


def copy_sqlite(template: Path, target: Path) -> None:
    for item in template.iterdir():
        if item.is_file():
            shutil.copy2(item, target / item.name)
        else:
            shutil.copytree(item, target / item.name, dirs_exist_ok=True)


def copy_schema(url: str, template: str, target: str) -> None:
    """Copy every table of schema ``template`` into the empty schema ``target``."""
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE'", (template,))]
        for table in tables:
            src, dst = sql.Identifier(template, table), sql.Identifier(target, table)
            conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(dst, src))
            conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(dst, src))
        serials = conn.execute(
            "SELECT table_name, column_name, "
            "pg_get_serial_sequence(quote_ident(table_schema) || '.' || quote_ident(table_name),"
            " column_name) FROM information_schema.columns "
            "WHERE table_schema = %s AND column_default LIKE 'nextval(%%'", (target,)).fetchall()
        for table, column, _old in serials:
            sequence = sql.Identifier(target, f"{table}_{column}_seq")
            conn.execute(sql.SQL("CREATE SEQUENCE {} OWNED BY {}.{}").format(
                sequence, sql.Identifier(target, table), sql.Identifier(column)))
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT nextval({})").format(
                sql.Identifier(target, table), sql.Identifier(column),
                sql.Literal(f'"{target}"."{table}_{column}_seq"')))
            conn.execute(sql.SQL("SELECT setval({}, COALESCE((SELECT max({}) FROM {}), 0) + 1, "
                                 "false)").format(
                sql.Literal(f'"{target}"."{table}_{column}_seq"'), sql.Identifier(column),
                sql.Identifier(target, table)))
