"""Reaching an endpoint: the connection goes to the address that was checked (a DNS answer
that changes afterwards cannot swap it), with the URL's host in the Host header and, over
TLS, in SNI and the certificate check."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mutualplan.webhooks import network
from mutualplan.webhooks.network import AddressRefused, Target, post, resolve

HOST = "hooks.example.test"  # never resolves: only the pinned address can reach the server


class Seen:
    host: str = ""
    sni: str | None = None
    body: bytes = b""


def serve(seen: Seen, tls: ssl.SSLContext | None = None) -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.host = self.headers.get("Host", "")
            seen.body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_delivery_connects_to_the_checked_address_with_the_urls_host_header() -> None:
    seen = Seen()
    for port in serve(seen):
        target = Target(scheme="http", host=HOST, port=port, path="/in?x=1", ip="127.0.0.1")

        answer = post(target, b'{"a":1}', {"Content-Type": "application/json"}, 2)

        assert answer.status == 204
        assert seen.host == f"{HOST}:{port}"
        assert seen.body == b'{"a":1}'


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_over_tls_the_urls_host_is_sent_as_sni_and_its_certificate_is_checked(
    tmp_path: Path,
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}"]
        + ["-addext", f"subjectAltName=DNS:{HOST}"],
        check=True,
        capture_output=True,
    )
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    seen = Seen()

    def note_sni(sock: Any, name: str | None, context: Any) -> None:
        seen.sni = name

    tls.sni_callback = note_sni
    trusting = ssl.create_default_context(cafile=str(cert))
    for port in serve(seen, tls):
        target = Target(scheme="https", host=HOST, port=port, path="/", ip="127.0.0.1")

        assert post(target, b"{}", {}, 2, context=trusting).status == 204
        assert seen.sni == HOST and seen.host == f"{HOST}:{port}"
        # The same server under another name: the certificate does not match, nothing sent.
        other = Target(scheme="https", host="other.example.test", port=port, path="/", ip=target.ip)
        with pytest.raises(ssl.SSLCertVerificationError):
            post(other, b"{}", {}, 2, context=trusting)


def answers(*addresses: str) -> Any:
    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return getaddrinfo


def test_a_name_with_one_internal_address_among_public_ones_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(network.socket, "getaddrinfo", answers("93.184.215.14", "10.0.0.8"))

    with pytest.raises(AddressRefused, match="10.0.0.8 is a private address"):
        resolve("https://hooks.example.com/x", allow_private=False)


def test_a_public_name_is_pinned_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(network.socket, "getaddrinfo", answers("93.184.215.14"))

    target = resolve("https://hooks.example.com:8443/in?x=1", allow_private=False)

    assert target == Target("https", "hooks.example.com", 8443, "/in?x=1", "93.184.215.14")
    # Allowed private addresses: the same lookup, no refusal.
    monkeypatch.setattr(network.socket, "getaddrinfo", answers("10.0.0.8"))
    assert resolve("http://hooks.internal/", allow_private=True).ip == "10.0.0.8"
