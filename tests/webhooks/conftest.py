"""A real HTTP receiver on loopback (http.server in a thread) and a real queue consumer for
the webhook tests; the receiver answers as each test tells it and keeps every request."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings

from mutualplan.workspaces.models import Workspace
from tests.conftest import Api
from tests.mail.conftest import queue_consumer, wait_for  # noqa: F401 (fixture, helper)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_hourly_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The consumer's hourly check stays out of the tests' way (they call it themselves)."""
    from mutualplan.webhooks import tasks

    monkeypatch.setattr(tasks, "emit_stale_steps", lambda: 0)
    monkeypatch.setattr(tasks, "requeue_stuck", lambda: 0)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the endpoint answers: `statuses` in turn (the last one for ever), each after
    `delay` seconds; and every request it got."""

    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/mutualplan"

    def events(self) -> list[str]:
        return [r.headers.get("X-Mutualplan-Event", "") for r in self.requests]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            answered = len(receiver.requests)
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.statuses[min(answered, len(receiver.statuses) - 1)]
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
            text = b"ok" if status < 300 else b"server on fire"
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            with contextlib.suppress(OSError):  # a client that gave up waiting
                self.wfile.write(text)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def start_receiver(receiver: Receiver) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with override_settings(
            WEBHOOK_ATTEMPTS=3, WEBHOOK_RETRY_SECONDS=0, WEBHOOK_TIMEOUT_SECONDS=2
        ):
            yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from start_receiver(Receiver())


@pytest.fixture
def flaky_receiver() -> Iterator[Receiver]:
    """Answers 500 to the first request and 200 to the retry."""
    yield from start_receiver(Receiver(statuses=[500, 200]))


@pytest.fixture
def slow_receiver() -> Iterator[Receiver]:
    """Takes 3 seconds to answer (longer than the 2 s timeout of the tests)."""
    yield from start_receiver(Receiver(delay=3.0))


@pytest.fixture
def private_allowed(workspace: Workspace) -> Workspace:
    """The workspace allows webhooks to private addresses (the receiver is on loopback)."""
    workspace.allow_private_webhooks = True
    workspace.save(update_fields=["allow_private_webhooks"])
    return workspace


def add_endpoint(api: Api, url: str, *events: str) -> dict[str, Any]:
    response = api.post("/webhooks", {"url": url, "events": list(events)})
    assert response.status_code == 201, response.json_body
    return response.json_body  # type: ignore[no-any-return]


def settled_deliveries(api: Api, endpoint_id: int, count: int = 1) -> list[dict[str, Any]]:
    """The endpoint's deliveries once `count` of them are sent or failed."""

    def check() -> list[dict[str, Any]] | None:
        found = api.get(f"/webhooks/{endpoint_id}/deliveries").json_body
        done = [d for d in found if d["status"] != "queued"]
        return found if len(done) >= count else None

    found = wait_for(check)
    assert found, api.get(f"/webhooks/{endpoint_id}/deliveries").json_body
    return found  # type: ignore[no-any-return]
