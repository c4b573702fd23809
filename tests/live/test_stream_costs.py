"""What an open stream costs a real server: no thread of its own (under ASGI nothing in the
middleware chain is sync-only, WhiteNoise included), while static files are still served."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server import Server, start_server, stop_server

EMAIL = "olivia@acme.example"
STREAMS = 40


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, int]]:
    running, process = start_server(tmp_path)
    try:
        running.run_cli("createuser", EMAIL, "--password", "correct-horse-battery")
        yield running, process.pid
    finally:
        stop_server(process)


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def open_stream(url: str, path: str) -> socket.socket:
    """A buyer stream on a raw socket, read up to its hello."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    received = b""
    while b"event: hello" not in received:
        chunk = sock.recv(65536)
        assert chunk, received
        received += chunk
    return sock


def test_open_streams_hold_no_thread_each_and_static_files_are_still_served(
    server: tuple[Server, int],
) -> None:
    running, pid = server
    token = running.run_cli("token", "create", "--user", EMAIL).splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=running.url, headers=headers, timeout=10) as client:
        target = (dt.date.today() + dt.timedelta(days=90)).isoformat()
        deal = {"account_name": "X", "account_type": "enterprise", "stage": "evaluation"}
        plan = client.post("/api/v1/plans", json={"deal": deal, "target_date": target}).json()
        link = client.post(f"/api/v1/plans/{plan['id']}/share-links", json={}).json()
        script = client.get("/static/mutualplan/app.js")
        module = client.get("/static/mutualplan/js/live.js")
    assert script.status_code == 200 and '"./js/live.js"' in script.text
    assert module.status_code == 200 and "new EventSource" in module.text

    path = f"/s/{link['token']}/events?name=Priya"
    # A first batch fills the pools any burst of streams starts (the event loop's executor
    # has up to min(32, cpus + 4) threads): what a stream costs is what the next batch adds.
    warm = [open_stream(running.url, path) for _ in range(STREAMS)]
    time.sleep(0.5)
    before = threads(pid)
    streams = [open_stream(running.url, path) for _ in range(STREAMS)]
    time.sleep(0.5)
    during = threads(pid)
    for sock in [*warm, *streams]:
        sock.close()
    assert during - before < 5, f"{before} threads before {STREAMS} more streams, {during} after"
