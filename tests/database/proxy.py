"""A TCP proxy in front of PostgreSQL that a test switches off, so that the database becomes
unreachable for one server under test without stopping the PostgreSQL server others share.

- `up`: every connection is relayed to PostgreSQL;
- `refuse`: the connections that were open are cut (as when PostgreSQL goes down) and every
  new one is reset at once;
- `blackhole`: the open connections are cut and new ones are accepted but never answered (a
  host that is gone: clients wait until their own timeout).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from typing import Literal

Mode = Literal["up", "refuse", "blackhole"]


class DatabaseProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.mode: Mode = "up"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, name="db-proxy", daemon=True).start()

    def switch(self, mode: Mode) -> None:
        """Relay again (`up`), or cut every open connection and refuse or ignore new ones."""
        with self._lock:
            self.mode = mode
            cut, self._open = self._open, set()
        for sock in cut:
            _close(sock)

    def close(self) -> None:
        self._closed = True
        self.switch("refuse")
        _close(self._listener)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                mode = self.mode
            if mode == "refuse":
                # Linger 0: the close sends a reset, as a closed port would.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()
            elif mode == "blackhole":
                self._track(client)
            else:
                self._relay(client)

    def _relay(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        server.settimeout(None)
        self._track(client, server)
        for source, target in ((client, server), (server, client)):
            threading.Thread(target=_pump, args=(source, target), daemon=True).start()

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._open.update(socks)


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        # One side ended: end the other, as a real connection would.
        _close(source)
        _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
