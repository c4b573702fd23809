"""Fixtures of the database-availability tests: the PostgreSQL server, throw-away databases on
it that no other test run shares, and `database_down()` for a database that goes away."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connections
from psycopg import sql

TEST_POSTGRES_URL = os.environ.get(
    "MUTUALPLAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def postgres_server_url() -> str:
    """The PostgreSQL server of the tests; fails under CI=true when unreachable, else skips."""
    try:
        psycopg.connect(TEST_POSTGRES_URL, connect_timeout=3).close()
        return TEST_POSTGRES_URL
    except psycopg.Error as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        message = f"PostgreSQL is not reachable at {TEST_POSTGRES_URL} ({first_line})"
    message += "; start it, or point MUTUALPLAN_TEST_POSTGRES_URL at one"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}. CI runs the database restart tests, so this fails.")
    pytest.skip(message)


def with_database(url: str, name: str, *, port: int | None = None) -> str:
    """`url` naming database `name` (and reached through `port` on 127.0.0.1 when given)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if port is not None:
        auth = netloc.rpartition("@")[0]
        netloc = f"{auth}@127.0.0.1:{port}" if auth else f"127.0.0.1:{port}"
    return urlunsplit((parts.scheme, netloc, f"/{name}", parts.query, ""))


def terminate_connections(admin_url: str, database: str) -> int:
    """`pg_terminate_backend` on every connection to `database`; how many there were."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return len(rows)


@pytest.fixture(scope="module")
def scratch_database() -> Iterator[tuple[str, str]]:
    """A new, empty database of its own (admin URL, name), dropped afterwards."""
    admin_url = postgres_server_url()
    name = f"mutualplan_dbtest_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin_url, name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# What psycopg raises when the server went away under an open connection.
GONE = psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")


@contextmanager
def database_down(error: BaseException = GONE) -> Iterator[None]:
    """The database "goes away": every new cursor, in every thread, fails with the driver's
    `error` (Django wraps it as it would a real one)."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(connections["default"]), "create_cursor", fail)
        yield
