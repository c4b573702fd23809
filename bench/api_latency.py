"""Latency of the REST API, measured end to end against a real server.

Starts `mutualplan serve` (uvicorn, one worker) on a fresh temporary data directory (SQLite)
or on a PostgreSQL database given with --database-url (dropped and recreated first; repeat the
option, with `sqlite` for SQLite, to measure several databases in one run), creates a
seller, a token and one plan with --rows milestones through the API, then times, in
interleaved rounds over one keep-alive connection:

  * GET   /api/v1/health                          - the trivial endpoint, the baseline;
  * GET   /api/v1/plans/{id}                      - the plan with its milestones;
  * PATCH /api/v1/plans/{id}/milestones/{mid}     - change one row's notes.

Target: the median of each endpoint within 3x of the trivial endpoint's median.

Run: .venv/bin/python bench/api_latency.py [--requests 300] [--rows 40]
     [--database-url sqlite --database-url postgresql://postgres@127.0.0.1:5432/mp_bench]
     [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from scratch import BenchError, recreate_postgres

TARGET_RATIO = 3.0
WARMUP = 20
START_TIMEOUT_S = 30.0
EMAIL = "bench@example.com"
PASSWORD = "bench-password-for-latency"
WORKSPACE = "bench"
TEMPLATE_ROWS = 8


def cli_command() -> list[str]:
    """The `mutualplan` console script next to this interpreter, or `python -m` as a fallback."""
    script = Path(sys.executable).with_name("mutualplan")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "mutualplan.cli"]


def run_cli(args: list[str], env: dict[str, str]) -> str:
    """Run one `mutualplan` command; return its stdout, fail with its stderr."""
    proc = subprocess.run(
        [*cli_command(), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if proc.returncode != 0:
        raise BenchError(
            f"`mutualplan {' '.join(args[:2])}` failed (exit {proc.returncode}):\n"
            f"{proc.stderr.strip() or proc.stdout.strip()}"
        )
    return proc.stdout


def database_kind(url: str | None) -> str:
    if not url:
        return "sqlite"
    scheme = urlsplit(url).scheme.split("+", 1)[0]
    return "postgresql" if scheme in ("postgres", "postgresql", "pgsql") else scheme


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(client: httpx.Client, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the server exited with code {server.returncode}:\n{tail(log)}")
        try:
            if client.get("/api/v1/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise BenchError(
        f"the server did not answer /api/v1/health with 200 within "
        f"{START_TIMEOUT_S:.0f} s:\n{tail(log)}"
    )


def start_server(
    data: list[str], env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[bytes], int]:
    """`mutualplan serve` on a free local port, its output in `log`; the process and port."""
    port = free_port()
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [*cli_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *data],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return server, port


def stop_server(server: subprocess.Popen[bytes] | None) -> None:
    """Terminate the server under test, killing it if it does not stop in 10 s."""
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def expect(resp: httpx.Response, status: int, what: str) -> Any:
    """Check the status, return the JSON body; abort with the response otherwise."""
    if resp.status_code != status:
        raise BenchError(
            f"{what}: expected HTTP {status}, got {resp.status_code}:\n{resp.text[:2000]}"
        )
    return resp.json() if resp.content else None


def build_plan(client: httpx.Client, rows: int) -> tuple[int, int, int]:
    """Create the plan and fill it to `rows` milestones; return (plan id, row id, version)."""
    today = dt.date.today()
    target = today + dt.timedelta(days=120)
    plan = expect(
        client.post(
            "/api/v1/plans",
            json={
                "deal": {
                    "account_name": "Bench Co",
                    "account_type": "enterprise",
                    "stage": "evaluation",
                    "amount": 50000,
                },
                "target_date": target.isoformat(),
                "template": "standard",
            },
        ),
        201,
        "POST /api/v1/plans",
    )
    plan_id: int = plan["id"]
    count = len(plan["milestones"])
    for n in range(count + 1, rows + 1):
        due = today + dt.timedelta(days=1 + (n * 97) % 118)  # spread out, before the target
        expect(
            client.post(
                f"/api/v1/plans/{plan_id}/milestones",
                json={
                    "title": f"Step {n}",
                    "owner_side": "buyer",
                    "owner_team": "IT",
                    "due_date": due.isoformat(),
                },
            ),
            201,
            f"POST /api/v1/plans/{plan_id}/milestones",
        )
    full = expect(client.get(f"/api/v1/plans/{plan_id}"), 200, f"GET /api/v1/plans/{plan_id}")
    if len(full["milestones"]) != max(rows, count):
        raise BenchError(
            f"the plan has {len(full['milestones'])} milestones, expected {max(rows, count)}"
        )
    row = full["milestones"][0]
    return plan_id, row["id"], row["version"]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def measure(
    client: httpx.Client, plan_id: int, row_id: int, version: int, requests: int
) -> dict[str, list[float]]:
    """Time each endpoint `requests` times, interleaved, after WARMUP untimed rounds."""
    state = {"version": version, "i": 0}
    plan_path = f"/api/v1/plans/{plan_id}"
    row_path = f"{plan_path}/milestones/{row_id}"

    def health() -> None:
        expect(client.get("/api/v1/health"), 200, "GET /api/v1/health")

    def get_plan() -> None:
        expect(client.get(plan_path), 200, f"GET {plan_path}")

    def patch_row() -> None:
        state["i"] += 1
        body = expect(
            client.patch(
                row_path, json={"version": state["version"], "notes": f"note {state['i']}"}
            ),
            200,
            f"PATCH {row_path}",
        )
        if body["version"] == state["version"]:
            raise BenchError(f"PATCH {row_path}: the version did not change ({state['version']})")
        state["version"] = body["version"]

    calls: dict[str, Callable[[], None]] = {
        "GET /health": health,
        "GET /plans/{id}": get_plan,
        "PATCH /plans/{id}/milestones/{mid}": patch_row,
    }
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(WARMUP):
        for call in calls.values():
            call()
    names = list(calls)
    for n in range(requests):
        # rotate the order each round so no endpoint always follows the same one
        for name in names[n % len(names) :] + names[: n % len(names)]:
            start = time.perf_counter()
            calls[name]()
            timings[name].append((time.perf_counter() - start) * 1000)
    return timings


def summarize(timings: dict[str, list[float]]) -> list[dict[str, Any]]:
    base_name = next(iter(timings))
    base = statistics.median(timings[base_name])
    out = []
    for name, values in timings.items():
        median = statistics.median(values)
        ratio = median / base if base else float("inf")
        out.append(
            {
                "endpoint": name,
                "median_ms": round(median, 3),
                "p95_ms": round(percentile(values, 95), 3),
                "ratio": round(ratio, 2),
                "pass": name == base_name or ratio <= TARGET_RATIO,
                "baseline": name == base_name,
            }
        )
    return out


def print_report(results: list[dict[str, Any]], info: dict[str, Any]) -> None:
    print(
        f"database: {info['database']}   python: {info['python']}   "
        f"requests: {info['requests']} per endpoint (+{WARMUP} warm-up)   "
        f"rows: {info['rows']}"
    )
    headers = ["endpoint", "median ms", "p95 ms", "x health"]
    cells = [
        [r["endpoint"], f"{r['median_ms']:.2f}", f"{r['p95_ms']:.2f}", f"{r['ratio']:.2f}"]
        for r in results
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print(f"target: within {TARGET_RATIO:g}x of the trivial endpoint")
    for r in results:
        if not r["baseline"]:
            print(f"  {'PASS' if r['pass'] else 'MISS'}  {r['endpoint']}  ({r['ratio']:.2f}x)")


def run(args: argparse.Namespace, database_url: str | None) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="mp-bench-"))
    env = dict(os.environ, MUTUALPLAN_DATA_DIR=str(data_dir))
    env.pop("DATABASE_URL", None)
    env.pop("MUTUALPLAN_DATABASE_URL", None)
    if database_url:
        env["MUTUALPLAN_DATABASE_URL"] = database_url
    kind = database_kind(database_url)
    server: subprocess.Popen[bytes] | None = None
    log = data_dir / "server.log"
    try:
        if kind == "postgresql" and database_url:
            recreate_postgres(database_url)
        data = ["--data-dir", str(data_dir)]
        run_cli(["migrate", *data], env)
        run_cli(["createuser", EMAIL, "--password", PASSWORD, "--workspace", WORKSPACE, *data], env)
        token = run_cli(["token", "create", "--user", EMAIL, *data], env).strip().splitlines()[-1]
        server, port = start_server(data, env, log)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30.0,
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            wait_until_up(client, server, log)
            plan_id, row_id, version = build_plan(client, args.rows)
            timings = measure(client, plan_id, row_id, version, args.requests)
        results = summarize(timings)
        info = {
            "database": kind,
            "python": platform.python_version(),
            "requests": args.requests,
            "rows": max(args.rows, TEMPLATE_ROWS),
            "target_ratio": TARGET_RATIO,
        }
        if args.json:
            print(json.dumps({**info, "results": results}, indent=2))
        else:
            print_report(results, info)
        return 0 if all(r["pass"] for r in results) else 1
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if server is not None and server.poll() is not None:
            print(f"server log:\n{tail(log)}", file=sys.stderr)
        return 2
    finally:
        stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--requests", type=int, default=300, help="timed requests per endpoint (default 300)"
    )
    parser.add_argument("--rows", type=int, default=40, help="milestones in the plan (default 40)")
    parser.add_argument(
        "--database-url",
        action="append",
        help="PostgreSQL URL of a scratch database (dropped and recreated), or `sqlite`; "
        "repeat to measure several in one run (default: SQLite in a temporary data dir)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.requests < 1 or args.rows < 1:
        parser.error("--requests and --rows must be at least 1")
    urls = [None if url == "sqlite" else url for url in args.database_url or ["sqlite"]]
    return max(run(args, url) for url in urls)


if __name__ == "__main__":
    sys.exit(main())
