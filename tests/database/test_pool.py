"""Pooled PostgreSQL connections are checked at checkout: a dead one is replaced at once, a
healthy one is handed out without a round trip. Also: the settings that make a request fail
fast while the database is unreachable.

The pool tests need PostgreSQL (MUTUALPLAN_TEST_POSTGRES_URL): skipped without it, failed
under CI=true. They terminate only their own connections.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from mutualplan.db.postgresql.base import CheckedConnectionPool
from tests.database.conftest import postgres_server_url


@pytest.fixture
def pool() -> Iterator[CheckedConnectionPool]:
    url = postgres_server_url()
    checked = CheckedConnectionPool(
        url, min_size=2, max_size=2, timeout=5, kwargs={"autocommit": True}, open=False
    )
    checked.open(wait=True, timeout=10)
    try:
        yield checked
    finally:
        checked.close()


def backend_pid(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def terminate(pids: list[int]) -> None:
    with psycopg.connect(postgres_server_url(), autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def wait_until_readable(conn: psycopg.Connection[Any]) -> None:
    """Until the server's goodbye reached the socket (it is sent at once, but not instantly)."""
    import select

    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN)
    assert poller.poll(2000), "the terminated connection's socket never became readable"


def test_connections_whose_backend_was_terminated_are_replaced_at_checkout_without_a_pause(
    pool: CheckedConnectionPool,
) -> None:
    held = [pool.getconn(), pool.getconn()]
    old_pids = [backend_pid(conn) for conn in held]
    for conn in held:
        pool.putconn(conn)
    terminate(old_pids)
    for conn in held:
        wait_until_readable(conn)

    started = time.monotonic()
    conn = pool.getconn()
    seconds = time.monotonic() - started
    try:
        new_pid = backend_pid(conn)  # a working connection, to a new backend
    finally:
        pool.putconn(conn)
    assert new_pid not in old_pids
    # psycopg_pool's own check would sleep a second after each dead connection it met.
    assert seconds < 0.5


def test_a_healthy_idle_connection_is_handed_out_without_a_round_trip(
    pool: CheckedConnectionPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_ping(conn: Any) -> None:
        raise AssertionError("pinged a connection that said nothing")

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(no_ping))
    for _ in range(5):
        conn = pool.getconn()
        assert conn.execute("SELECT 1").fetchone() == (1,)
        pool.putconn(conn)


def test_a_connection_closed_while_pooled_is_never_handed_out(
    pool: CheckedConnectionPool,
) -> None:
    conn = pool.getconn()
    pool.putconn(conn)
    conn.pgconn.finish()  # as if its socket had been torn down under it
    for _ in range(3):
        fresh = pool.getconn()
        try:
            assert fresh.execute("SELECT 1").fetchone() == (1,)
        finally:
            pool.putconn(fresh)


def database_settings(**env: str) -> dict[str, Any]:
    """`settings.DATABASES["default"]` as the server would read it from `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MUTUALPLAN_")}
    code = "import json, mutualplan.settings as s; print(json.dumps(s.DATABASES['default']))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "MUTUALPLAN_DATA_DIR": os.environ["MUTUALPLAN_DATA_DIR"], **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_postgresql_connections_come_from_the_checked_pool_with_short_timeouts() -> None:
    db = database_settings(MUTUALPLAN_DATABASE_URL="postgresql://mp@db.example:5432/mp")
    assert db["ENGINE"] == "mutualplan.db.postgresql"
    assert db["OPTIONS"]["connect_timeout"] == 2
    assert db["OPTIONS"]["pool"]["timeout"] == 1
    db = database_settings(
        MUTUALPLAN_DATABASE_URL="postgresql://mp@db.example:5432/mp",
        MUTUALPLAN_DB_CONNECT_TIMEOUT="5",
        MUTUALPLAN_DB_POOL_TIMEOUT="2",
    )
    assert (db["OPTIONS"]["connect_timeout"], db["OPTIONS"]["pool"]["timeout"]) == (5, 2)
