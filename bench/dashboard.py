"""Latency of the seller dashboard with 2,000 plans in the workspace.

Builds a throw-away workspace (SQLite in a temporary data directory, or the PostgreSQL
database given with --database-url, dropped and recreated first) with --plans plans made
through the same service as the app (8 rows each), then times the dashboard page in-process
(Django's test client, no network): the first page, a middle page, a filter and a search,
and prints each median and p95 with the number of SQL queries per page.
Target: under 100 ms per page at 2,000 plans, and the same number of queries on every page.

Run: .venv/bin/python bench/dashboard.py [--plans 2000] [--requests 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

TARGET_MS = 100.0


def setup(database_url: str | None) -> None:
    os.environ["MUTUALPLAN_DATA_DIR"] = tempfile.mkdtemp(prefix="mutualplan-bench-")
    if database_url:
        import psycopg

        name = database_url.rsplit("/", 1)[-1]
        if name in ("", "postgres"):
            sys.exit("give a scratch database, not the postgres database itself")
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["MUTUALPLAN_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "mutualplan.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(count: int) -> Any:
    from mutualplan.plans.actors import Actor
    from mutualplan.plans.services import plans as plan_service
    from mutualplan.workspaces.services import onboard_seller

    onboarded = onboard_seller(
        "bench@example.com", workspace="bench", workspace_name="Bench", password="x"
    )
    user, workspace = onboarded.user, onboarded.workspace
    actor = Actor.seller(user)
    types = workspace.account_types
    today = dt.date.today()
    started = time.perf_counter()
    for i in range(count):
        plan_service.create_plan(
            workspace,
            actor,
            deal=plan_service.DealInput(
                account_name=f"Account {i:04d}",
                account_type=types[i % len(types)],
                stage="evaluation",
                amount=Decimal(1000 + i),
            ),
            target_date=today + dt.timedelta(days=30 + i % 200) if i % 10 else None,
        )
    print(f"created {count} plans in {time.perf_counter() - started:.1f} s")
    return user


def measure(user: Any, requests: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # As a browser at the default base URL would ask (the app answers only its own host names).
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    pages = {
        "first page": "/",
        "page 40": "/?page=40",
        "filter: smb, by amount": "/?account_type=smb&sort=-amount",
        "search 'Account 19'": "/?q=Account+19",
        "health: no target date": "/?health=no_target_date",
    }
    out = []
    for name, url in pages.items():
        for _ in range(5):
            client.get(url)
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        times.sort()
        out.append(
            {
                "page": name,
                "median_ms": statistics.median(times),
                "p95_ms": times[int(len(times) * 0.95) - 1],
                "queries": len(ctx.captured_queries),
            }
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection

    user = populate(args.plans)
    rows = measure(user, args.requests)
    print(f"database: {connection.vendor}   plans: {args.plans}   requests: {args.requests}")
    print(f"{'page':28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for r in rows:
        print(f"{r['page']:28} {r['median_ms']:10.1f} {r['p95_ms']:8.1f} {r['queries']:8d}")
    ok = all(r["median_ms"] < TARGET_MS for r in rows)
    same = len({r["queries"] for r in rows}) == 1
    print(
        f"target: under {TARGET_MS:.0f} ms per page: {'PASS' if ok else 'MISS'}; "
        f"same queries on every page: {'PASS' if same else 'MISS'}"
    )
    return 0 if ok and same else 1


if __name__ == "__main__":
    sys.exit(main())
