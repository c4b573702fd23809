"""Live updates under load: write-to-receive latency and server memory per open viewer.

For each --viewers count N, starts `mutualplan serve` (uvicorn, one worker, SQLite in a fresh
temporary data directory; through Redis with --redis-url), creates a seller, a token, a plan
and a share link, opens N buyer streams (`GET /s/<token>/events`, Server-Sent Events, read
with plain asyncio sockets so that the client stays light next to the server), then PATCHes
one milestone --updates times, one every --interval-ms, through the REST API.

Each PATCH puts the client's clock in the row's title, which the activity summary carries
to every viewer (notes text is not in the summary); a viewer's latency for an update is its
receive time minus that clock. Memory per viewer is the server's VmRSS (from
/proc/<pid>/status) after opening the viewers minus before, divided by N.

With --workers 2 (which needs --redis-url) two server processes share the data directory
and the Redis: viewers are spread over both and the PATCHes alternate between them, so half
of every viewer's updates cross Redis. Next to memory the report gives the threads each open
viewer adds to the servers (/proc/<pid>/task) and the Redis connections it adds (CLIENT LIST,
the servers' named clients), and the live connections still open a few seconds after the
viewers closed (should be 0).

Target: p95 latency under 100 ms, under 1 MiB per viewer, every update reaching every viewer.

Run: .venv/bin/python bench/live_updates.py [--viewers 50 200] [--updates 200]
     [--interval-ms 20] [--redis-url redis://127.0.0.1:6379/0 [--workers 2]] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api_latency import (
    BenchError,
    expect,
    percentile,
    run_cli,
    start_server,
    stop_server,
    tail,
)

TARGET_P95_MS = 100.0
TARGET_KIB_PER_VIEWER = 1024.0
START_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 10.0
# Let the join burst's presence messages settle before measuring memory.
SETTLE_S = 1.0
EMAIL = "bench@example.com"
PASSWORD = "bench-password-for-live-updates"
MARK = re.compile(r"bench (\d+) t=(\d+\.\d+)")
# The servers close their Redis subscription and presence pool this long after the last viewer.
IDLE_CLOSE_S = 4.0


@dataclass
class Viewer:
    """One SSE stream read off a raw socket (HTTP/1.1, chunked)."""

    n: int
    hello: asyncio.Event = field(default_factory=asyncio.Event)
    # update number -> latency in ms
    latencies: dict[int, float] = field(default_factory=dict)
    error: str = ""

    async def run(self, port: int, token: str) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as exc:
            self.error = f"connect: {exc}"
            self.hello.set()
            return
        try:
            writer.write(
                f"GET /s/{token}/events?name=Viewer+{self.n} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                self.error = head.split(b"\r\n", 1)[0].decode()
                return
            buffer = ""
            while True:
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    self.error = "the stream ended"
                    return
                chunk = await reader.readexactly(size + 2)
                buffer += chunk[:-2].decode()
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    self._handle(block)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self.error = self.error or f"{type(exc).__name__}: {exc}"
        finally:
            self.hello.set()
            writer.close()

    def _handle(self, block: str) -> None:
        received = time.perf_counter()
        if "event: hello" in block:
            self.hello.set()
        elif "event: activity" in block:
            data = next(line[6:] for line in block.split("\n") if line.startswith("data: "))
            found = MARK.search(json.loads(data)["summary"])
            if found:
                sent = float(found.group(2))
                self.latencies[int(found.group(1))] = (received - sent) * 1000


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def live_connections(redis_url: str | None, pids: list[int]) -> int:
    """Connections the live streams of these server processes hold on Redis now (0 without
    Redis); each is named `mutualplan-live...:<pid>`, so other users of the Redis don't count."""
    if not redis_url:
        return 0
    import redis

    ours = {str(pid) for pid in pids}
    admin = redis.Redis.from_url(redis_url)
    try:
        return sum(
            1
            for c in admin.client_list()
            # The streams' subscriber and presence pool; writes publish on connections of
            # their own (mutualplan-live-publish), which serve no viewer.
            if str(c["name"]).startswith(("mutualplan-live:", "mutualplan-live-presence:"))
            and str(c["name"]).rsplit(":", 1)[-1] in ours
        )
    finally:
        admin.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no VmRSS for process {pid}")


async def wait_until_up(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the server exited with code {server.returncode}")
        try:
            if (await client.get("/api/v1/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise BenchError(f"the server did not come up within {START_TIMEOUT_S:.0f} s")


async def prepare(client: httpx.AsyncClient) -> tuple[int, int, int, str]:
    """A plan and a share link; returns (plan id, row id, row version, share token)."""
    target = dt.date.today() + dt.timedelta(days=90)
    plan = expect(
        await client.post(
            "/api/v1/plans",
            json={
                "deal": {"account_name": "X", "account_type": "enterprise", "stage": "evaluation"},
                "target_date": target.isoformat(),
                "template": "standard",
            },
        ),
        201,
        "POST /api/v1/plans",
    )
    link = expect(
        await client.post(f"/api/v1/plans/{plan['id']}/share-links", json={}),
        201,
        "POST share-links",
    )
    row = next(m for m in plan["milestones"] if m["owner_side"] == "buyer")
    return plan["id"], row["id"], row["version"], link["token"]


async def write_updates(
    clients: list[httpx.AsyncClient], path: str, version: int, updates: int, interval: float
) -> list[float]:
    """PATCH the row `updates` times on a fixed schedule, through each server in turn;
    returns each PATCH's time in ms."""
    timings = []
    start = time.perf_counter()
    for n in range(updates):
        await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
        sent = time.perf_counter()
        client = clients[n % len(clients)]
        body = expect(
            await client.patch(path, json={"version": version, "title": f"bench {n} t={sent:.6f}"}),
            200,
            f"PATCH {path}",
        )
        timings.append((time.perf_counter() - sent) * 1000)
        version = body["version"]
    return timings


async def scenario(
    servers: list[tuple[int, subprocess.Popen[bytes]]],
    token: str,
    args: argparse.Namespace,
    n: int,
) -> dict[str, Any]:
    clients = [
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30.0,
            headers={"Authorization": f"Bearer {token}"},
        )
        for port, _ in servers
    ]
    pids = [server.pid for _, server in servers]
    ports = [port for port, _ in servers]
    try:
        for client, (_, server) in zip(clients, servers, strict=True):
            await wait_until_up(client, server)
        plan_id, row_id, version, share = await prepare(clients[0])
        path = f"/api/v1/plans/{plan_id}/milestones/{row_id}"
        # Warm up: import and allocate what any first stream and write would, on every server.
        warm = [Viewer(-1 - i) for i in range(len(ports))]
        warm_tasks = [
            asyncio.create_task(v.run(port, share)) for v, port in zip(warm, ports, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(v.hello.wait() for v in warm)), CONNECT_TIMEOUT_S)
        for client in clients:
            patched = await client.patch(path, json={"version": version, "notes": "warm"})
            version = patched.json()["version"]
        await asyncio.sleep(SETTLE_S)
        before = sum(rss_kib(pid) for pid in pids)
        threads_before = sum(threads(pid) for pid in pids)
        redis_before = live_connections(args.redis_url, pids)

        viewers = [Viewer(i) for i in range(n)]
        tasks = [asyncio.create_task(v.run(ports[v.n % len(ports)], share)) for v in viewers]
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await asyncio.gather(*(v.hello.wait() for v in viewers))
            failed = [v for v in viewers if v.error]
            if failed:
                raise BenchError(f"{len(failed)} viewers failed, e.g. {failed[0].error}")
            await asyncio.sleep(SETTLE_S)
            after = sum(rss_kib(pid) for pid in pids)
            threads_after = sum(threads(pid) for pid in pids)
            redis_after = live_connections(args.redis_url, pids)

            writes = await write_updates(
                clients, path, version, args.updates, args.interval_ms / 1000
            )
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            while time.monotonic() < deadline and any(
                len(v.latencies) < args.updates for v in viewers
            ):
                await asyncio.sleep(0.05)
        finally:
            for task in tasks + warm_tasks:
                task.cancel()
            await asyncio.gather(*tasks, *warm_tasks, return_exceptions=True)
        # Every viewer is gone: so should every live connection to Redis be, shortly.
        await asyncio.sleep(IDLE_CLOSE_S)
        redis_left = live_connections(args.redis_url, pids)
    finally:
        for client in clients:
            await client.aclose()

    latencies = [ms for v in viewers for ms in v.latencies.values()]
    missing = n * args.updates - len(latencies)
    if not latencies:
        raise BenchError("no viewer received any update")
    per_viewer = (after - before) / n
    p95 = percentile(latencies, 95)
    return {
        "viewers": n,
        "workers": len(servers),
        "updates": args.updates,
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(max(latencies), 2),
        "missing": missing,
        "patch_p50_ms": round(statistics.median(writes), 2),
        "rss_before_kib": before,
        "rss_after_kib": after,
        "kib_per_viewer": round(per_viewer, 1),
        "threads_before": threads_before,
        "threads_with_viewers": threads_after,
        "threads_per_viewer": round((threads_after - threads_before) / n, 3),
        "redis_live_connections": redis_after,
        "redis_per_viewer": round((redis_after - redis_before) / n, 3),
        "redis_left_after_close": redis_left,
        "pass": p95 < TARGET_P95_MS
        and per_viewer < TARGET_KIB_PER_VIEWER
        and missing == 0
        and redis_left == 0,
    }


def run_one(args: argparse.Namespace, n: int) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="mp-bench-live-"))
    env = {k: v for k, v in os.environ.items() if "DATABASE_URL" not in k}
    env["MUTUALPLAN_DATA_DIR"] = str(data_dir)
    env.pop("MUTUALPLAN_REDIS_URL", None)
    if args.redis_url:
        env["MUTUALPLAN_REDIS_URL"] = args.redis_url
    servers: list[tuple[int, subprocess.Popen[bytes]]] = []
    log = data_dir / "server.log"
    try:
        data = ["--data-dir", str(data_dir)]
        run_cli(["createuser", EMAIL, "--password", PASSWORD, *data], env)
        token = run_cli(["token", "create", "--user", EMAIL, *data], env).strip().splitlines()[-1]
        for worker in range(args.workers):
            server, port = start_server(data, env, log.with_name(f"server-{worker}.log"))
            servers.append((port, server))
        return asyncio.run(scenario(servers, token, args, n))
    except BenchError as exc:
        logs = "\n".join(tail(log.with_name(f"server-{w}.log")) for w in range(args.workers))
        raise BenchError(f"{exc}\nserver logs:\n{logs}") from None
    finally:
        for _, server in servers:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)


def print_report(results: list[dict[str, Any]], info: dict[str, Any]) -> None:
    print(
        f"broadcast: {info['broadcast']}   python: {info['python']}   cpus: {info['cpus']}   "
        f"updates: {info['updates']}, one every {info['interval_ms']} ms"
    )
    headers = ["viewers", "workers", "p50 ms", "p95 ms", "max ms", "missing", "PATCH p50"]
    headers += ["KiB/viewer", "threads/viewer", "Redis conns/viewer", "Redis conns left"]
    keys = ["viewers", "workers", "p50_ms", "p95_ms", "max_ms", "missing", "patch_p50_ms"]
    keys += ["kib_per_viewer", "threads_per_viewer", "redis_per_viewer", "redis_left_after_close"]
    rows = [[str(r[k]) for k in keys] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    print(
        f"target: p95 under {TARGET_P95_MS:g} ms, under {TARGET_KIB_PER_VIEWER / 1024:g} MiB "
        "per viewer, nothing missing, no Redis connection left after the viewers close"
    )
    for r in results:
        print(f"  {'PASS' if r['pass'] else 'MISS'}  {r['viewers']} viewers")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--viewers", type=int, nargs="+", default=[50, 200], help="viewer counts (default 50 200)"
    )
    parser.add_argument("--updates", type=int, default=200, help="PATCHes sent (default 200)")
    parser.add_argument(
        "--interval-ms", type=float, default=20.0, help="between PATCHes (default 20)"
    )
    parser.add_argument(
        "--redis-url", default=None, help="broadcast through this Redis (default: in memory)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (default 1; 2 needs Redis)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.workers < 1 or (args.workers > 1 and not args.redis_url):
        parser.error("--workers must be at least 1, and more than 1 needs --redis-url")
    if min(args.viewers) < 1 or args.updates < 1 or args.interval_ms < 0:
        parser.error("--viewers and --updates must be at least 1, --interval-ms not negative")
    try:
        results = [run_one(args, n) for n in args.viewers]
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    info = {
        "broadcast": "redis" if args.redis_url else "in memory",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "updates": args.updates,
        "interval_ms": args.interval_ms,
    }
    if args.json:
        print(json.dumps({**info, "results": results}, indent=2))
    else:
        print_report(results, info)
    return 0 if all(r["pass"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
