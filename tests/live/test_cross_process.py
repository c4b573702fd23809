"""Two real server processes sharing one database and one Redis: a write handled by the
first reaches a buyer streaming from the second.

Needs the Redis server at 127.0.0.1:6379 (or MUTUALPLAN_TEST_REDIS_URL): skipped without
one, failed without one under CI=true.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.conftest import redis_server_url
from tests.live.sse import SseEvent, parse_event
from tests.server import STATIC_ROOT, worker_number

EMAIL = "olivia@acme.example"
START_TIMEOUT = 30.0
DELIVERY_LIMIT = 2.0


def mutualplan_command() -> list[str]:
    script = Path(sys.executable).with_name("mutualplan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mutualplan.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [*mutualplan_command(), *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited:\n{log.read_text()}"
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base} did not come up in {START_TIMEOUT:.0f} s:\n{log.read_text()}")


class Servers:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> str:
        port = free_port()
        log = self.data_dir / f"server-{port}.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [*mutualplan_command(), "serve", "--port", str(port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(server)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server, log)
        return base

    def stop(self) -> None:
        for server in self.processes:
            if server.poll() is None:
                server.terminate()
        for server in self.processes:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@pytest.fixture
def servers() -> Iterator[Servers]:
    url = redis_server_url()  # skips (or fails under CI) before anything starts
    data_dir = Path(tempfile.mkdtemp(prefix="mutualplan-live-"))
    env = {k: v for k, v in os.environ.items() if "DATABASE_URL" not in k}
    # A database number per test process: the channels name it, and plan ids start at 1 in
    # every test process's data dir.
    env |= {
        "MUTUALPLAN_DATA_DIR": str(data_dir),
        "MUTUALPLAN_REDIS_URL": f"{url}/{1 + worker_number() % 15}",
        "MUTUALPLAN_STATIC_ROOT": STATIC_ROOT,
    }
    running = Servers(data_dir, env)
    try:
        run_cli(["createuser", EMAIL, "--password", "correct-horse-battery"], env)
        yield running
    finally:
        running.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def read_events(lines: Iterator[str], until: float) -> Iterator[SseEvent]:
    """The stream's events as they come, until the deadline (httpx bounds each read)."""
    block: list[str] = []
    for line in lines:
        if line:
            block.append(line)
            continue
        event = parse_event("\n".join(block))
        block = []
        if event is not None:
            yield event
        if time.monotonic() > until:
            return


def test_a_write_on_one_server_reaches_a_buyer_streaming_from_another(servers: Servers) -> None:
    token = run_cli(["token", "create", "--user", EMAIL], servers.env).splitlines()[-1]
    first, second = servers.start(), servers.start()
    seller = httpx.Client(
        base_url=f"{first}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    target = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    created = seller.post(
        "/plans",
        json={
            "deal": {"account_name": "X", "account_type": "enterprise", "stage": "evaluation"},
            "target_date": target,
            "template": "standard",
        },
    )
    assert created.status_code == 201, created.text
    plan: dict[str, Any] = created.json()
    link = seller.post(f"/plans/{plan['id']}/share-links", json={})
    assert link.status_code == 201, link.text
    row = next(m for m in plan["milestones"] if m["owner_side"] == "buyer")

    # Every read waits at most 3 s, so a missing event fails the test instead of hanging it.
    timeout = httpx.Timeout(10.0, read=3.0)
    url = f"{second}/s/{link.json()['token']}/events?name=Priya"
    with httpx.stream("GET", url, timeout=timeout) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"] == "text/event-stream"
        lines = stream.iter_lines()
        hello = next(e for e in read_events(lines, time.monotonic() + 10) if e.event == "hello")
        sent_at = time.monotonic()
        patched = seller.patch(
            f"/plans/{plan['id']}/milestones/{row['id']}",
            json={"version": row["version"], "status": "in_progress"},
        )
        assert patched.status_code == 200, patched.text
        arrived = next(
            (
                e
                for e in read_events(lines, sent_at + DELIVERY_LIMIT)
                if e.event == "activity" and e.data["milestone_id"] == row["id"]
            ),
            None,
        )
        elapsed = time.monotonic() - sent_at
    assert arrived is not None, f"no event on {second} within {DELIVERY_LIMIT} s"
    assert elapsed < DELIVERY_LIMIT
    assert int(arrived.id or 0) > hello.data["last_id"]
    assert arrived.data["verb"] == "milestone_updated" and arrived.data["seller_only"] is False
    assert "status: In progress" in arrived.data["summary"]
