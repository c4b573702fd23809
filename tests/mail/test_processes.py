"""The queue across processes: `mutualplan serve` sends email with the consumer it runs
inside; `mutualplan serve --no-worker` leaves it queued until `mutualplan worker` sends it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NEW_PLAN, day
from tests.mail.conftest import Inbox, free_port, parts, wait_for
from tests.server import MUTUALPLAN, Server, start_server, stop_server

EMAIL = "olivia@acme.example"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield received, port
    finally:
        controller.stop()


def send_a_plan(server: Server) -> dict[str, Any]:
    server.run_cli("createuser", EMAIL, "--password", PASSWORD)
    token = server.run_cli("token", "create", "--user", EMAIL)
    status, plan = server.api(
        "POST", "/plans", token=token, body={**NEW_PLAN, "target_date": day(90)}
    )
    assert status == 201, plan
    status, sent = server.api(
        "POST",
        f"/plans/{plan['id']}/send",
        token=token,
        body={"recipients": ["priya@buyer.example"], "message": "Our plan, as agreed."},
    )
    assert status == 202, sent
    sent["token"] = token
    sent["plan_id"] = plan["id"]
    return sent  # type: ignore[no-any-return]


def test_serve_sends_the_email_with_the_consumer_it_runs_inside(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    received, port = inbox
    server, process = start_server(
        tmp_path / "serve",
        extra_env={"MUTUALPLAN_EMAIL_URL": f"smtp://127.0.0.1:{port}?timeout=5"},
    )
    try:
        send_a_plan(server)
        assert wait_for(lambda: received.messages, seconds=30), server.log()
    finally:
        stop_server(process)
    assert received.recipients == ["priya@buyer.example"]
    assert "Our plan, as agreed." in parts(received.messages[0])["text/plain"]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    from tests.live.private_redis import PrivateRedis

    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    try:
        yield redis.url
    finally:
        redis.stop()


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_serve_without_its_worker_leaves_the_email_to_mutualplan_worker(
    tmp_path: Path, inbox: tuple[Inbox, int], queue: str, request: pytest.FixtureRequest
) -> None:
    received, port = inbox
    extra = {
        "MUTUALPLAN_EMAIL_URL": f"smtp://127.0.0.1:{port}?timeout=5",
        "MUTUALPLAN_SERVE_WORKER": "false",
    }
    if queue == "redis":
        extra["MUTUALPLAN_REDIS_URL"] = request.getfixturevalue("redis_url")
    server, process = start_server(tmp_path / "serve", extra_env=extra)
    worker = None
    try:
        send_a_plan(server)
        assert not wait_for(lambda: received.messages, seconds=3)
        with (tmp_path / "worker.log").open("wb") as log:
            worker = subprocess.Popen(
                [str(MUTUALPLAN), "worker", "--workers", "1"],
                env=server.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        assert wait_for(lambda: received.messages, seconds=30), (
            tmp_path / "worker.log"
        ).read_text()
    finally:
        if worker is not None:
            stop_server(worker)  # type: ignore[arg-type]
        stop_server(process)
    assert received.recipients == ["priya@buyer.example"]
    # With Redis the queue lives there, shared by every server and worker; else in the data dir.
    assert (server.data_dir / "queue.sqlite3").exists() == (queue == "sqlite")
