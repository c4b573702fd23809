"""Several machines: two `mutualplan serve` processes and one `mutualplan worker`, each with a
data directory of its own (as on machines of their own), sharing one PostgreSQL database, one
Redis (live updates and the task queue) and one secret key, as the README's "Running on
several machines" describes. Every process runs a queue consumer, so three compete for each
task: each must still be done exactly once."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller
from psycopg import sql

from tests.conftest import NEW_PLAN, day
from tests.database.conftest import postgres_server_url, with_database
from tests.live.private_redis import PrivateRedis
from tests.mail.conftest import Inbox, free_port, wait_for
from tests.mail.test_remind_processes import SEED
from tests.server import (
    CLI_TIMEOUT_SECONDS,
    MUTUALPLAN,
    Server,
    server_env,
    start_server,
    stop_server,
)

EMAIL = "olivia@acme.example"
PASSWORD = "correct-horse-battery"
BUYERS = ["priya@buyer.example", "sam@buyer.example"]


@dataclass
class Cluster:
    a: Server
    b: Server
    inbox: Inbox
    worker_log: Path


@pytest.fixture
def database() -> Iterator[str]:
    """A new, empty PostgreSQL database of this test's own; its URL."""
    admin_url = postgres_server_url()
    name = f"mutualplan_scaleout_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def cluster(tmp_path: Path, database: str) -> Iterator[Cluster]:
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    shared = {
        "MUTUALPLAN_DATABASE_URL": database,
        "MUTUALPLAN_REDIS_URL": redis.url,
        "MUTUALPLAN_SECRET_KEY": "one-secret-key-for-every-machine-of-this-installation",
        "MUTUALPLAN_EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}?timeout=5",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        # As the README says: `mutualplan migrate` once, then every machine starts (at once:
        # each checks the migrations under the advisory lock).
        subprocess.run(
            [str(MUTUALPLAN), "migrate"],
            env=server_env(tmp_path / "machine-a" / "data", "http://127.0.0.1:8000") | shared,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
            timeout=CLI_TIMEOUT_SECONDS,
        )
        with ThreadPoolExecutor(2) as pool:
            started = list(
                pool.map(
                    lambda name: start_server(tmp_path / name, extra_env=shared),
                    ["machine-a", "machine-b"],
                )
            )
        processes += [process for _, process in started]
        (a, _), (b, _) = started
        worker_log = tmp_path / "worker.log"
        with worker_log.open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [str(MUTUALPLAN), "worker", "--workers", "2"],
                    env=a.env | {"MUTUALPLAN_DATA_DIR": str(tmp_path / "machine-c")},
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        assert wait_for(lambda: "Consuming" in worker_log.read_text(), seconds=30), (
            worker_log.read_text()
        )
        yield Cluster(a, b, inbox, worker_log)
    finally:
        for process in processes:
            stop_server(process)
        smtp.stop()
        redis.stop()


def seller_token(server: Server) -> str:
    server.run_cli("createuser", EMAIL, "--password", PASSWORD)
    return server.run_cli("token", "create", "--user", EMAIL)


def emails(server: Server, token: str, plan_id: int) -> list[dict[str, Any]]:
    status, body = server.api("GET", f"/plans/{plan_id}/emails", token=token)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def test_a_plan_sent_through_one_server_is_emailed_exactly_once(cluster: Cluster) -> None:
    token = seller_token(cluster.a)
    status, plan = cluster.a.api(
        "POST", "/plans", token=token, body={**NEW_PLAN, "target_date": day(90)}
    )
    assert status == 201, plan

    status, sent = cluster.a.api(
        "POST",
        f"/plans/{plan['id']}/send",
        token=token,
        body={"recipients": BUYERS, "message": "Our plan, as agreed on Tuesday."},
    )

    assert status == 202, sent
    assert wait_for(lambda: len(cluster.inbox.messages) >= 2, seconds=30), cluster.a.log()
    time.sleep(3)  # a second consumer sending it again would have done so by now
    assert sorted(cluster.inbox.recipients) == BUYERS
    assert len(cluster.inbox.messages) == 2
    # The other server reads the same outcome from the shared database.
    seen_from_b = emails(cluster.b, token, plan["id"])
    assert sorted(e["recipient"] for e in seen_from_b) == BUYERS
    assert {(e["status"], e["attempts"]) for e in seen_from_b} == {("sent", 1)}


def test_a_digest_run_started_on_both_servers_at_once_sends_each_digest_once(
    cluster: Cluster,
) -> None:
    # Olivia's plan with Sam's overdue step: a digest for Olivia and one for Sam.
    subprocess.run([sys.executable, "-c", SEED], env=cluster.a.env, check=True, timeout=120)

    runs = [
        subprocess.Popen(
            [str(MUTUALPLAN), "remind"],
            env=server.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for server in (cluster.a, cluster.b)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert wait_for(lambda: len(cluster.inbox.messages) >= 2, seconds=30), outputs
    time.sleep(3)  # a digest sent twice would have arrived by now
    assert sorted(cluster.inbox.recipients) == ["olivia@acme.example", "sam@buyer.example"]
    # Each run counts every digest once: sent by it, or already sent by the other (or by a
    # consumer's periodic run, when one fell in the same minutes).
    for output in outputs:
        sent, already = map(int, re.findall(r"(\d+) (?:digests? sent|already sent)", output))
        assert sent + already == 2, output
