"""What backup and restore ask of the database, through Django: engine, counts, migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from mutualplan.ops.archive import BackupError

COPY_ALIAS = "mutualplan_backup_copy"
# Rows a fresh installation makes by itself (migrate fills the first two) or that only say who
# is signed in: a database holding only these is empty.
DISPOSABLE = ("contenttypes.ContentType", "auth.Permission", "sessions.Session")


def engine(alias: str = DEFAULT_DB_ALIAS) -> str:
    """'sqlite' or 'postgresql'."""
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backup and restore support SQLite and PostgreSQL, not {vendor}")
    return vendor


def describe(alias: str = DEFAULT_DB_ALIAS) -> str:
    """The database in words, without its password."""
    conf = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return f"SQLite database {conf['NAME']}"
    return (
        f"PostgreSQL database {conf['NAME']} on {conf.get('HOST') or 'localhost'}"
        f":{conf.get('PORT') or 5432}"
    )


def counted_models() -> dict[str, Any]:
    from mutualplan.plans.models import Activity, Milestone, Plan, Slip
    from mutualplan.workspaces.models import Workspace

    return {
        "workspaces": Workspace,
        "users": get_user_model(),
        "plans": Plan,
        "milestones": Milestone,
        "slips": Slip,
        "activities": Activity,
    }


def count_rows(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {
        name: model._default_manager.using(alias).count()
        for name, model in counted_models().items()
    }


def has_schema(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether migrations have created the app's tables."""
    tables = set(connections[alias].introspection.table_names())
    return MigrationRecorder.Migration._meta.db_table in tables


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[tuple[str, str]]:
    return sorted(MigrationRecorder(connections[alias]).applied_migrations())


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this version of mutualplan has."""
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def held_data(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per model (by name) that the database holds, leaving out DISPOSABLE ones."""
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    held = {}
    # Many-to-many link tables are left out too: their rows come with rows of their models.
    for model in apps.get_models():
        meta = model._meta
        if meta.label in DISPOSABLE or meta.proxy or not meta.managed:
            continue
        if meta.db_table not in tables:
            continue
        rows = model._default_manager.using(alias).count()
        if rows:
            held[str(meta.verbose_name)] = rows
    return held


def reset_connections() -> None:
    """Close every connection and pool: what they hold may describe tables just replaced."""
    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


@contextmanager
def sqlite_alias(path: Path) -> Iterator[str]:
    """A second Django database, for the ORM to read a SQLite file other than the app's own."""
    conf: dict[str, Any] = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    connections.settings[COPY_ALIAS] = connections.configure_settings({DEFAULT_DB_ALIAS: conf})[
        DEFAULT_DB_ALIAS
    ]
    try:
        yield COPY_ALIAS
    finally:
        connections[COPY_ALIAS].close()
        del connections[COPY_ALIAS]
        del connections.settings[COPY_ALIAS]


def data_dir() -> Path:
    return Path(settings.DATA_DIR)
