"""Installations for the backup and restore tests, each driven through the `mutualplan` command.

`installation("name")` makes a fresh, empty one: its own data directory and, for the
`postgresql` parameter, its own database (`<suite database>_<name>`, e.g. `wt_backup_restore`,
dropped afterwards). Nothing here touches the test process's own Django database.

The PostgreSQL installations need the server at MUTUALPLAN_DATABASE_URL (when the suite runs on
PostgreSQL) or MUTUALPLAN_TEST_POSTGRES_URL, and pg_dump / pg_restore on PATH (scripts/test
installs postgresql-client when they are missing): skipped without them, failed under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.server import CLI_TIMEOUT_SECONDS, MUTUALPLAN, in_ci, server_env

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Counted by the restore's summary; the tables are the models' (plans_plan, …).
TABLES = {
    "plans": "plans_plan",
    "milestones": "plans_milestone",
    "slips": "plans_slip",
    "activities": "plans_activity",
}


def _drop_statement() -> Any:
    from psycopg import sql

    # FORCE: a server under test may still hold connections.
    return sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def skip_or_fail(message: str) -> None:
    if in_ci():
        pytest.fail(f"{message}. CI runs the PostgreSQL backup tests, so this fails.")
    pytest.skip(message)


def postgres_server_url() -> str:
    """The suite's PostgreSQL URL, else MUTUALPLAN_TEST_POSTGRES_URL, else the local server."""
    for name in ("MUTUALPLAN_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgres"):
            return url
    return os.environ.get("MUTUALPLAN_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


class Postgres:
    """Creates and drops the databases of one test on the test PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.url = url
        suite = urllib.parse.urlsplit(url).path.lstrip("/")
        # Named after the suite's database, so that engineers sharing a server do not collide.
        prefix = suite if suite and suite != "postgres" else "mutualplan_backup"
        # And after the test process, so that parallel test processes do not collide.
        self.prefix = f"{prefix}_{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}"
        self.created: list[str] = []

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(with_database(self.url, "postgres"), autocommit=True)

    def create(self, name: str) -> str:
        """A new, empty database; its URL."""
        from psycopg import sql

        database = f"{self.prefix}_{name}"
        with self._admin() as conn:
            # Left over by an interrupted run, perhaps.
            conn.execute(_drop_statement().format(sql.Identifier(database)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        self.created.append(database)
        return with_database(self.url, database)

    def drop_all(self) -> None:
        from psycopg import sql

        with self._admin() as conn:
            for database in self.created:
                conn.execute(_drop_statement().format(sql.Identifier(database)))


def postgres_or_skip() -> Postgres:
    """The test PostgreSQL server with pg_dump and pg_restore; skips (fails in CI) without."""
    try:
        import psycopg
    except ImportError:
        skip_or_fail("the psycopg package is not installed")
    url = postgres_server_url()
    try:
        psycopg.connect(with_database(url, "postgres"), connect_timeout=3).close()
    except psycopg.Error as exc:
        skip_or_fail(
            f"PostgreSQL is not reachable at {url} ({str(exc).strip()}); start it, or point "
            "MUTUALPLAN_TEST_POSTGRES_URL at one"
        )
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            skip_or_fail(
                f"{tool} is not installed: apt-get install postgresql-client "
                "(scripts/test installs it)"
            )
    return Postgres(url)


@dataclass
class Installation:
    """One mutualplan installation: a data directory, and a database URL for PostgreSQL."""

    engine: str
    data_dir: Path
    database_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.database_url:
            self.extra_env["MUTUALPLAN_DATABASE_URL"] = self.database_url

    @property
    def env(self) -> dict[str, str]:
        return server_env(self.data_dir, "http://127.0.0.1:8000") | self.extra_env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`mutualplan ARGS` on this installation, whatever its exit code."""
        return subprocess.run(
            [str(MUTUALPLAN), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            check=False,
        )

    def cli(self, *args: str) -> str:
        """`mutualplan ARGS`, which must succeed; its output."""
        done = self.run(*args)
        assert done.returncode == 0, f"mutualplan {' '.join(args)}:\n{done.stderr}{done.stdout}"
        return done.stdout

    def python(self, code: str) -> str:
        """Run Python with Django set up on this installation; its output."""
        done = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def dump(self) -> list[dict[str, Any]]:
        """Every row of every model (Django's dumpdata), in a form both engines print alike."""
        out = self.python(
            "from django.core.management import call_command\n"
            "call_command('dumpdata', format='jsonl')"
        )
        return [normalized(json.loads(line)) for line in out.splitlines() if line.strip()]

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "mutualplan.sqlite3"

    def ids(self) -> dict[str, set[int]]:
        """The ids in the plan, milestone, slip and activity tables."""
        if self.engine == "sqlite":
            with sqlite3.connect(self.sqlite_path) as conn:
                return {
                    name: {row[0] for row in conn.execute(f"SELECT id FROM {table}")}
                    for name, table in TABLES.items()
                }
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            return {
                name: {row[0] for row in conn.execute(f"SELECT id FROM {table}")}
                for name, table in TABLES.items()
            }

    def secret_key(self) -> str:
        return (self.data_dir / "secret_key").read_text()


def normalized(record: dict[str, Any]) -> dict[str, Any]:
    # Many-to-many ids come in no particular order.
    fields = {
        name: sorted(value)
        if isinstance(value, list) and all(isinstance(v, int) for v in value)
        else value
        for name, value in record["fields"].items()
    }
    return {**record, "fields": fields}


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    server = postgres_or_skip()
    try:
        yield server
    finally:
        server.drop_all()


InstallationFactory = Callable[[str], Installation]


def factory_for(engine: str, base: Path, postgres: Postgres | None) -> InstallationFactory:
    def make(name: str) -> Installation:
        data_dir = base / name
        if engine == "sqlite":
            return Installation(engine, data_dir)
        assert postgres is not None
        return Installation(engine, data_dir, postgres.create(name))

    return make


@pytest.fixture(params=["sqlite", "postgresql"])
def installation(request: pytest.FixtureRequest, tmp_path: Path) -> InstallationFactory:
    """Makes fresh installations on the engine of the test's parameter."""
    if request.param == "sqlite":
        return factory_for("sqlite", tmp_path, None)
    return factory_for("postgresql", tmp_path, request.getfixturevalue("postgres"))
