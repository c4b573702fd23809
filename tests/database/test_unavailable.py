"""A database that can't be reached gets a 503 of the request's kind; a real error stays 500.

The database "goes away" here through `database_down()` (tests/database/conftest.py).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
import pytest
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.test import Client
from psycopg_pool import PoolTimeout

from mutualplan.http.database import database_unavailable
from tests.conftest import Api
from tests.database.conftest import GONE, database_down

UNAVAILABLE = {"detail": "the database is unavailable; try again in a moment", "errors": []}


def sqlite_error(path: str, sql: str = "select 1") -> sqlite3.OperationalError:
    """A real error of SQLite's, with its error code."""
    try:
        sqlite3.connect(path).execute(sql)
    except sqlite3.OperationalError as exc:
        return exc
    raise AssertionError("no error")


def wrapped(cause: BaseException, cls: type[Exception] = OperationalError) -> Exception:
    """`cause` as Django raises it: its own class, with the driver's error as the cause."""
    error = cls(*getattr(cause, "args", ()))
    error.__cause__ = cause
    return error


CANT_OPEN = sqlite_error("/nonexistent/mutualplan/db.sqlite3")
NO_SUCH_TABLE = sqlite_error(":memory:", "select * from plans_nothing")


def warnings_and_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (wrapped(GONE), True),
        (wrapped(psycopg.OperationalError("connection failed: Connection refused")), True),
        (wrapped(psycopg.errors.AdminShutdown("terminating connection")), True),
        (wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")), True),
        (wrapped(psycopg.errors.TooManyConnections("too many clients already")), True),
        (wrapped(PoolTimeout("couldn't get a connection after 1.00 sec")), True),
        (PoolTimeout("couldn't get a connection after 1.00 sec"), True),
        (InterfaceError("connection already closed"), True),
        (wrapped(psycopg.InterfaceError("the connection is closed"), InterfaceError), True),
        (wrapped(CANT_OPEN), True),
        (wrapped(sqlite_error(":memory:", "select * from plans_nothing")), False),
        (wrapped(psycopg.errors.QueryCanceled("canceling statement")), False),
        (wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), False),
        (wrapped(psycopg.errors.UniqueViolation("duplicate key"), IntegrityError), False),
        (wrapped(psycopg.errors.StringDataRightTruncation("value too long"), DataError), False),
        (OperationalError("an error of Django's own, with no driver error"), False),
        (ZeroDivisionError("division by zero"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_only_errors_that_say_the_database_is_out_of_reach_count_as_unavailable(
    error: BaseException, unavailable: bool
) -> None:
    assert database_unavailable(error) is unavailable


def test_an_api_request_gets_the_json_503_with_retry_after_and_one_warning_line(
    owner_api: Api, plan: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with database_down():
        response = owner_api.get(f"/plans/{plan['id']}")
    assert response.status_code == 503
    assert response.json_body == UNAVAILABLE
    assert response["Retry-After"] == "5"
    [record] = warnings_and_errors(caplog)
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        "database unavailable (GET answered 503): "
        "consuming input failed: server closed the connection unexpectedly"
    )
    assert record.exc_info is None


def test_an_api_write_while_the_database_is_down_gets_the_json_503_and_changes_nothing(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    with database_down():
        response = owner_api.post(f"/plans/{plan['id']}/milestones", {"title": "Pilot"})
    assert (response.status_code, response.json_body) == (503, UNAVAILABLE)
    titles = [row["title"] for row in owner_api.get(f"/plans/{plan['id']}").json_body["milestones"]]
    assert "Pilot" not in titles


def test_a_buyer_page_gets_a_plain_try_again_page(
    share_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    with database_down():
        response = Client().get(f"/s/{share_token}/")
    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "<h1>Try again in a moment</h1>" in page
    assert "the database is unavailable; try again in a moment." in page
    # One line, and no path: a share page's path holds its token.
    [record] = warnings_and_errors(caplog)
    assert share_token not in record.getMessage()


def test_a_seller_page_gets_the_try_again_page_when_the_session_cannot_be_read(
    owner: Any, plan: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(owner)
    with database_down():
        response = client.get(f"/plans/{plan['id']}/")
    assert response.status_code == 503
    assert "Try again in a moment" in response.content.decode()


def test_the_page_scripts_json_requests_get_the_json_503(
    share_token: str, plan: dict[str, Any]
) -> None:
    row = plan["milestones"][0]["id"]
    with database_down():
        response = Client().get(
            f"/s/{share_token}/rows/{row}/", headers={"Accept": "application/json"}
        )
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE


def test_a_live_stream_gets_a_plain_503_and_the_page_reconnects_later(share_token: str) -> None:
    with database_down():
        response = Client().get(f"/s/{share_token}/events", headers={"Accept": "text/event-stream"})
    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain"
    assert response["Retry-After"] == "5"
    assert response.content.decode() == "the database is unavailable; try again in a moment\n"


def test_sqlite_that_cannot_open_its_file_answers_503_too(owner_api: Api) -> None:
    with database_down(CANT_OPEN):
        response = owner_api.get("/plans")
    assert (response.status_code, response.json_body) == (503, UNAVAILABLE)


@pytest.mark.parametrize("path", ["/api/v1/plans", "/"])
def test_a_real_error_stays_a_500_with_its_traceback_in_the_log(
    owner: Any, owner_api: Api, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    with database_down(NO_SUCH_TABLE):
        response = client.get(path, headers={"Authorization": f"Bearer {owner_api.token}"})
    assert response.status_code == 500
    assert "Retry-After" not in response
    [record] = warnings_and_errors(caplog)
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
    assert "no such table" in str(record.exc_info[1])
