"""A Redis server of the test's own, on a free port: killing or freezing it disturbs no one.

`redis-server` missing fails the test under CI=true and skips it otherwise.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.server import free_port, in_ci

START_SECONDS = 10.0


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    message = "redis-server is not installed (apt-get install redis-server)"
    if in_ci():
        pytest.fail(f"{message}. CI runs the Redis failure tests, so this fails.")
    pytest.skip(message)


class PrivateRedis:
    """`start`, `kill` (gone), `freeze` (SIGSTOP: connected but silent) and `thaw`."""

    def __init__(self, base: Path) -> None:
        self.binary = redis_server_binary()
        self.base = base
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.base)]
        with (self.base / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except (redis.RedisError, OSError):
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not answer on port {self.port}")

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2.0, socket_connect_timeout=2.0)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()
            self.kill()

    def client_names(self) -> list[str]:
        """The name of every client connected now (CLIENT LIST), this one left out."""
        admin = self.client()
        try:
            me = admin.client_id()
            return sorted(str(c["name"]) for c in admin.client_list() if int(c["id"]) != me)
        finally:
            admin.close()
