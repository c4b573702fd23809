"""A real `mutualplan serve` process for tests that need one (browser, backup under writes).

The server runs with its own throw-away data directory and only the MUTUALPLAN_ settings the
test passes (`extra_env`, e.g. a PostgreSQL `MUTUALPLAN_DATABASE_URL`); tests reach it over
HTTP (`Server.api`) and through its CLI (`Server.run_cli`), never through the test process's
own Django database.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

MUTUALPLAN = Path(sys.executable).with_name("mutualplan")
SERVER_START_SECONDS = 30
CLI_TIMEOUT_SECONDS = 60
# Straight to 127.0.0.1, whatever http_proxy says.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def worker_number() -> int:
    """This test process's number under pytest-xdist (gw0, gw1, …), 0 when run alone."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The servers this test process starts share their collected static files: only the first
# start collects them (`mutualplan serve` skips a collect from unchanged sources).
STATIC_ROOT = tempfile.mkdtemp(prefix="mutualplan-test-static-")


def server_env(data_dir: Path, url: str) -> dict[str, str]:
    """The environment without any MUTUALPLAN_ or DATABASE_URL setting of the caller's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MUTUALPLAN_") and key != "DATABASE_URL"
    }
    env.update(
        MUTUALPLAN_DATA_DIR=str(data_dir),
        MUTUALPLAN_BASE_URL=url,
        MUTUALPLAN_STATIC_ROOT=STATIC_ROOT,
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Server:
    """A `mutualplan serve` process, and its CLI on the same data directory."""

    url: str
    data_dir: Path
    env: dict[str, str]
    log_path: Path

    def run_cli(self, *args: str, check: bool = True) -> str:
        """Run `mutualplan ARGS` against the server's data directory; its stdout, stripped."""
        result = subprocess.run(
            [str(MUTUALPLAN), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,  # a command that prompts fails instead of hanging
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"mutualplan {' '.join(args)} exited with {result.returncode}:\n"
                f"{result.stderr or result.stdout}"
            )
        return result.stdout.strip()

    def api(self, method: str, path: str, *, token: str = "", body: Any = None) -> tuple[int, Any]:
        """Call `/api/v1{path}` on the server; the status and the decoded JSON body."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            f"{self.url}/api/v1{path}", data=data, headers=headers, method=method
        )
        try:
            with HTTP.open(request, timeout=10) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        return status, json.loads(content) if content else None

    def log(self, last_lines: int = 200) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-last_lines:])


def healthy(url: str) -> bool:
    try:
        with HTTP.open(f"{url}/api/v1/health", timeout=1) as response:
            return bool(response.status == 200)
    except (OSError, http.client.HTTPException):
        return False


def start_server(
    base: Path, *, data_dir: Path | None = None, extra_env: dict[str, str] | None = None
) -> tuple[Server, subprocess.Popen[bytes]]:
    """Serve `data_dir` (default `base/data`) on a free port, the log in `base`."""
    data_dir = data_dir or base / "data"
    base.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = server_env(data_dir, url) | (extra_env or {})
        server = Server(url, data_dir, env, base / f"serve-{port}.log")
        with server.log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(MUTUALPLAN), "serve", "--host", "127.0.0.1", "--port", str(port)]
                + ["--data-dir", str(data_dir)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + SERVER_START_SECONDS
        try:
            while time.monotonic() < deadline and process.poll() is None:
                if healthy(url):
                    return server, process
                time.sleep(0.1)
        except BaseException:  # e.g. Ctrl-C while waiting: leave no server behind
            stop_server(process)
            raise
        exit_code = process.poll()
        stop_server(process)
        # Another process may have taken the free port before the server bound it.
        if "address already in use" in server.log() and attempt < 2:
            continue
        why = (
            f"did not answer {url}/api/v1/health within {SERVER_START_SECONDS} s"
            if exit_code is None
            else f"exited with code {exit_code} before answering {url}/api/v1/health"
        )
        pytest.fail(f"mutualplan serve {why}; its log:\n{server.log()}", pytrace=False)
    raise AssertionError("unreachable")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        # Open event streams can hold a graceful shutdown.
        process.kill()
        process.wait()
