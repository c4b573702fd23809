"""The SQLite backend reuses connections across requests, never with a transaction open."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest

from mutualplan.db.sqlite.base import DatabaseWrapper


def wrapper(path: Path) -> DatabaseWrapper:
    settings = {
        "ENGINE": "mutualplan.db.sqlite",
        "NAME": str(path),
        "OPTIONS": {},
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings, alias="pool-test")


@pytest.fixture(autouse=True)
def _unblocked(django_db_blocker: Any) -> Any:
    # These tests open their own throw-away databases, not the test database.
    with django_db_blocker.unblock():
        yield


def test_a_closed_connection_is_handed_to_the_next_request() -> None:
    path = Path(tempfile.mkdtemp()) / "pool.sqlite3"
    first = wrapper(path)
    first.ensure_connection()
    raw = first.connection
    first.close()
    second = wrapper(path)
    second.ensure_connection()
    assert second.connection is raw
    second.close()


def test_a_connection_comes_back_without_its_uncommitted_work() -> None:
    path = Path(tempfile.mkdtemp()) / "pool.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("create table t (x integer)")
    setup.commit()
    setup.close()
    first = wrapper(path)
    first.ensure_connection()
    first.connection.execute("begin")
    first.connection.execute("insert into t values (1)")
    first.close()
    second = wrapper(path)
    second.ensure_connection()
    assert second.connection.execute("select count(*) from t").fetchone() == (0,)
    assert not second.connection.in_transaction
    second.close()
