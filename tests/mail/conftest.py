"""A real SMTP server on loopback (aiosmtpd) and a real queue consumer (Huey, in threads of
the test process) for the email tests; each test gets a queue file of its own."""

from __future__ import annotations

import email
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from huey.storage import SqliteStorage

from mutualplan.queue import huey, start_in_process


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received; it answers "try again" to the first `refuse` messages."""

    refuse: int = 0
    refused: int = 0
    # Addresses refused for good ("no such user"), at RCPT.
    unknown: tuple[str, ...] = ()
    messages: list[Message] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.original_content))
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def settled(delivery_id: int) -> Any:
    """The delivery once it is sent or failed for good; None while queued or being sent."""
    from mutualplan.plans.models import EmailDelivery

    delivery = EmailDelivery.objects.get(id=delivery_id)
    return delivery if delivery.status in (EmailDelivery.SENT, EmailDelivery.FAILED) else None


def parts(message: Message) -> dict[str, str]:
    """The message's text parts by type (text/plain, text/html), decoded."""
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


def smtp_settings(port: int) -> Any:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
        DEFAULT_FROM_EMAIL="plans@acme.example",
        EMAIL_ATTEMPTS=3,
        EMAIL_RETRY_SECONDS=0,
    )


def start_smtp(inbox: Inbox) -> Iterator[Inbox]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    yield from start_smtp(Inbox())


@pytest.fixture
def busy_smtp_server() -> Iterator[Inbox]:
    """Refuses the first message with a temporary error, accepts the retry."""
    yield from start_smtp(Inbox(refuse=1))


@pytest.fixture
def smtp_down() -> Iterator[int]:
    """The mail server's address with nothing listening there."""
    port = free_port()
    with smtp_settings(port):
        yield port


@pytest.fixture
def queue_consumer(tmp_path: Path) -> Iterator[Any]:
    """A real consumer of a queue file of this test's own, in threads of this process."""
    queue = huey()
    kept = queue.storage
    queue.storage = SqliteStorage(name=queue.name, filename=str(tmp_path / "queue.sqlite3"))
    consumer = start_in_process(workers=1)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        queue.storage = kept


def wait_for(check: Callable[[], Any], seconds: float = 20) -> Any:
    """`check()`'s first true answer, polled until `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)
