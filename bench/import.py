"""Speed of the CRM deal import (`mutualplan import-deals`, `POST /api/v1/deals/import`).

Generates a Salesforce Opportunity report of --rows deals (a quarter won or lost with their
created and close dates, the rest open across a few stages, amounts with a currency symbol and
thousand separators, US dates, a BOM), then imports it into a fresh database and times:

  * first import     - every deal created;
  * same file again  - every deal unchanged (nothing written);
  * every deal moved - each deal's stage and close date changed (every deal updated).

The import runs in-process through the service the CLI and the API call, each measurement in
a child process of its own: a fresh temporary data directory (SQLite), or the PostgreSQL
database given with --database-url, which is DROPPED AND RECREATED first (through the
`postgres` database); repeat the option, with `sqlite` for SQLite, to measure several.

Target: each step of 10,000 rows in a few seconds (under 5 s) on SQLite and PostgreSQL.
With --plans, also an import into a second workspace that gives every open deal a plan from
the standard template (reported, not held to the target: eight milestones a plan).

Run: .venv/bin/python bench/import.py [--rows 10000]
     [--database-url sqlite --database-url postgresql://postgres@127.0.0.1:5432/mutualplan_bench_crm]
     [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from typing import Any

from scratch import BenchError, recreate_postgres

TARGET_S = 5.0
STAGES = ("Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote")
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")


def salesforce_report(rows: int, moved: bool = False, seed: int = 7) -> bytes:
    """A Salesforce report export of `rows` deals; `moved`: each open deal a stage further
    and every close date a month later."""
    rng = random.Random(seed)
    lines = [
        '"Opportunity Name","Account Name","Stage","Close Date","Created Date","Amount",'
        '"Type","Opportunity ID","Opportunity Owner","Account Type"'
    ]
    for i in range(rows):
        created_month, created_day = rng.randint(1, 12), rng.randint(1, 28)
        roll = rng.random()
        stage = (
            "Closed Won" if roll < 0.15 else "Closed Lost" if roll < 0.25 else rng.choice(STAGES)
        )
        if moved and not stage.startswith("Closed"):
            stage = STAGES[(STAGES.index(stage) + 1) % len(STAGES)]
        close_month = (created_month + rng.randint(1, 9) + (1 if moved else 0)) % 12 + 1
        close_year = 2025 + (created_month + rng.randint(1, 9) + (1 if moved else 0)) // 12
        if stage.startswith("Closed"):
            close_year = 2025 + (close_month < created_month)
        amount = rng.randint(5, 500) * 1000
        lines.append(
            f'"Account {i} - Platform","Account {i}","{stage}",'
            f'"{close_month}/{min(created_day, 28)}/{close_year + 1}",'
            f'"{created_month}/{created_day}/2025","${amount:,}.00","New Business",'
            f'"0065g{i:011d}","owner{i % 5}@example.com","{rng.choice(SEGMENTS)}"'
        )
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def child(database_url: str, rows: int, plans: bool) -> dict[str, Any]:
    """One measurement in this process: a fresh database, three imports, their times."""
    os.environ["MUTUALPLAN_DATA_DIR"] = tempfile.mkdtemp(prefix="mutualplan-bench-import-")
    if database_url != "sqlite":
        recreate_postgres(database_url)
        os.environ["MUTUALPLAN_DATABASE_URL"] = database_url
    from mutualplan.commands.common import migrate_database, setup_django

    setup_django()
    migrate_database()
    from django.db import connection

    from mutualplan.plans.actors import Actor
    from mutualplan.plans.models import Deal
    from mutualplan.plans.services.deal_imports import import_deals
    from mutualplan.workspaces.models import Workspace
    from mutualplan.workspaces.services import onboard_seller

    user = onboard_seller("bench@example.com", workspace="bench", name="Bench Seller").user
    workspace = Workspace.objects.get(slug="bench")
    actor = Actor.seller(user)
    first_file, moved_file = salesforce_report(rows), salesforce_report(rows, moved=True)
    timings: dict[str, float] = {}
    counts: dict[str, str] = {}
    for step, content in (
        ("first import", first_file),
        ("same file again", first_file),
        ("every deal moved", moved_file),
    ):
        start = time.perf_counter()
        result = import_deals(workspace, actor, content)
        timings[step] = time.perf_counter() - start
        counts[step] = (
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
    if Deal.objects.count() != rows:
        raise BenchError(f"expected {rows} deals, found {Deal.objects.count()}")
    if plans:
        other = onboard_seller("plans@example.com", workspace="plans", name="Plans Seller").user
        start = time.perf_counter()
        result = import_deals(
            Workspace.objects.get(slug="plans"), Actor.seller(other), first_file, create_plans=True
        )
        timings["first import + plans"] = time.perf_counter() - start
        counts["first import + plans"] = f"{result.created} created, {result.plans_created} plans"
    return {
        "database": connection.vendor,
        "rows": rows,
        "bytes": len(first_file),
        "seconds": timings,
        "counts": counts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", action="append", help="sqlite or postgresql://...")
    parser.add_argument("--plans", action="store_true", help="Also time an import with plans.")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        try:
            print(json.dumps(child(args.child, args.rows, args.plans)))
        except BenchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    results = []
    for url in args.database_url or ["sqlite"]:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", url, "--rows", str(args.rows)]
            + (["--plans"] if args.plans else []),
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"error: {url}: {proc.stderr.strip()[-2000:]}", file=sys.stderr)
            return 2
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    missed = any(
        t > TARGET_S for r in results for step, t in r["seconds"].items() if "plans" not in step
    )
    if args.json:
        print(json.dumps({"results": results, "target_s": TARGET_S, "met": not missed}))
        return 1 if missed else 0
    print(
        f"CRM deal import, {args.rows:,} Salesforce rows ({platform.python_version()}, "
        f"{os.cpu_count()} cores); target under {TARGET_S:.0f} s per step"
    )
    for r in results:
        for step, seconds in r["seconds"].items():
            flag = "" if "plans" in step else "ok" if seconds <= TARGET_S else "MISS"
            print(f"  {r['database']:<10} {step:<21} {seconds:6.2f} s  {r['counts'][step]}  {flag}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
