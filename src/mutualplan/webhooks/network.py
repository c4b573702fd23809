"""Reaching a webhook endpoint safely: resolve its host, refuse internal addresses (unless the
workspace allows them), and connect to the very address that was checked, so that a DNS
answer that changes between the check and the connection (rebinding) cannot swap it. The URL's
host still goes in the Host header and, over TLS, in SNI and the certificate check."""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from mutualplan.core.webhooks import address_problem, url_problem

# How much of an endpoint's answer is read (and kept, on a failure).
ANSWER_BYTES = 2048


class AddressRefused(Exception):
    """The URL may not be reached: bad URL, unknown host, or an internal address."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`ip`) and what to ask for (host, port, path)."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str


def resolve(url: str, allow_private: bool) -> Target:
    """The URL's target with its address checked; AddressRefused says why it is not."""
    problem = url_problem(url)
    if problem:
        raise AddressRefused(problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise AddressRefused(f"the host {host!r} could not be resolved") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise AddressRefused(f"the host {host!r} could not be resolved")
    if not allow_private:
        # Every address the name has must be public: a name with one internal address among
        # public ones could be steered to it.
        for address in addresses:
            refusal = address_problem(address)
            if refusal:
                raise AddressRefused(
                    f"{refusal}; the workspace does not allow webhooks to private addresses"
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, path=path, ip=addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._ip = target.ip

    def connect(self) -> None:
        raw = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    context: ssl.SSLContext | None = None,
) -> Answer:
    """POST `body` to the checked target (no redirect is followed: a 3xx is an answer).
    `context` verifies TLS (the system's certificate authorities by default)."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPS(target, timeout, context or ssl.create_default_context())
    else:
        connection = _PinnedHTTP(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(ANSWER_BYTES).decode("utf-8", "replace")
        return Answer(status=response.status, body=text)
    finally:
        connection.close()
