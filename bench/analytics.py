"""Speed of reading a workspace's history for learning (step durations and deal cycles).

Fills a fresh database with --plans plans of ten milestones each (about a million milestones
for the default 100,000 plans): deals of three account types created over two years, plans
won, lost, active or still drafts, each milestone waiting on the one before it (the last on
the two before it), completed on their days or still open, a fifth of them slipped with a
reason. The rows are written with raw `executemany` (SQLite) or `COPY` (PostgreSQL), not
timed. Then times, --repeat times each:

  * step durations - `duration_table(step_columns(workspace, today))`;
  * deal cycles    - `cycle_table(deal_outcomes(workspace, today))`.

Each database is measured in a child process of its own: a fresh temporary data directory
(SQLite), or the PostgreSQL database given with --database-url, which is DROPPED AND
RECREATED first (through the `postgres` database); repeat the option, with `sqlite` for
SQLite, to measure several.

Target: the median of each under 2 s on SQLite and PostgreSQL.

Run: .venv/bin/python bench/analytics.py [--plans 100000] [--repeat 3]
     [--database-url sqlite --database-url postgresql://postgres@127.0.0.1:5432/bench_learnfast]
     [--json]
Exit status: 0 if the target is met, 1 on a MISS, 2 if the run failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from scratch import BenchError, recreate_postgres

TARGET_S = 2.0
TODAY = dt.date(2026, 11, 2)
ROWS = 10
STEPS = (
    "business_case",
    "security_review",
    "security_questionnaire",
    "legal_redline",
    "commercial_review",
    "procurement_po",
    "exec_signoff",
    "contract_execution",
    "kickoff",
    "custom",
)
TURNAROUNDS = (7, 21, 14, 21, 10, 14, 5, 7, 3, None)
ACCOUNTS = ("enterprise", "mid_market", "smb")
REASONS = (
    "internal_readiness",
    "competing_priorities",
    "stakeholder_not_engaged",
    "legal_or_security_delay",
    "budget_or_procurement",
    "seller_side_delay",
    "other",
    "",
)
CHUNK = 10_000  # plans written per batch
DEAL_COLUMNS = [
    "id",
    "account_name",
    "account_type",
    "industry",
    "amount",
    "currency",
    "stage",
    "crm_ref",
    "created_at",
    "version",
    "owner_id",
    "workspace_id",
    "close_date",
    "crm_id",
    "crm_source",
]
PLAN_COLUMNS = [
    "id",
    "status",
    "target_date",
    "baseline_target_date",
    "target_reason",
    "country",
    "business_days",
    "template_key",
    "created_at",
    "updated_at",
    "committed_at",
    "confirmed_at",
    "last_buyer_activity_at",
    "version",
    "created_by_id",
    "deal_id",
    "workspace_id",
    "contact_email",
    "health_activity_id",
    "health_codes",
    "health_on",
]
MILESTONE_COLUMNS = [
    "id",
    "position",
    "title",
    "step_type",
    "owner_side",
    "owner_team",
    "due_date",
    "baseline_due_date",
    "anchor_offset",
    "turnaround_days",
    "status",
    "notes",
    "private_notes",
    "high_risk",
    "risk_checklist",
    "added_by_side",
    "added_by_name",
    "added_at",
    "status_updated_at",
    "status_updated_by",
    "completed_at",
    "confirmed_at",
    "version",
    "plan_id",
    "owner_person_id",
    "unconfirmed_at",
]
DEPENDENCY_COLUMNS = ["id", "from_milestone_id", "to_milestone_id"]
SLIP_COLUMNS = [
    "id",
    "milestone_title",
    "from_date",
    "to_date",
    "days",
    "reason_category",
    "reason_text",
    "during_build",
    "actor_kind",
    "actor_name",
    "created_at",
    "actor_user_id",
    "milestone_id",
    "plan_id",
]


class History:
    """The generated rows, chunk by chunk, as tuples whose dates are ISO strings."""

    def __init__(self, plans: int, workspace_id: int, postgres: bool, seed: int = 2026) -> None:
        self.plans = plans
        self.workspace_id = workspace_id
        self.rng = np.random.default_rng(seed)
        self.first_day = (TODAY - dt.date(1970, 1, 1)).days - 730
        days = [dt.date(1970, 1, 1) + dt.timedelta(days=d) for d in range(self.first_day, 30_000)]
        self.dates = np.array([d.isoformat() for d in days], dtype=object)
        zone = "+00" if postgres else ""
        self.moments = np.array([f"{d.isoformat()} 12:00:00{zone}" for d in days], dtype=object)
        self.slip_id = 0

    def _date(self, day: np.ndarray[Any, Any]) -> list[Any]:
        """ISO dates of epoch days, None where the day is negative (no date)."""
        found = self.dates[np.maximum(day - self.first_day, 0)]
        found[day < 0] = None
        return list(found)

    def _moment(self, day: np.ndarray[Any, Any]) -> list[Any]:
        found = self.moments[np.maximum(day - self.first_day, 0)]
        found[day < 0] = None
        return list(found)

    def chunks(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        for low in range(0, self.plans, CHUNK):
            yield self._chunk(np.arange(low, min(low + CHUNK, self.plans)) + 1)

    def _chunk(self, ids: np.ndarray[Any, Any]) -> dict[str, list[tuple[Any, ...]]]:
        rng, n, today = self.rng, ids.size, self.first_day + 730
        created = rng.integers(self.first_day, today - 5, n)
        roll = rng.random(n)
        status = np.where(
            roll < 0.2,
            "won",
            np.where(roll < 0.35, "lost", np.where(roll < 0.9, "active", "draft")),
        )
        account = rng.integers(0, len(ACCOUNTS), n)
        # Each step lasts lognormal days (enterprise longer); completions chain one by one.
        scale = np.array([1.6, 1.2, 1.0])[account]
        lasting = np.ceil(rng.lognormal(2.0, 0.6, (n, ROWS)) * scale[:, None]).astype(np.int64)
        done_on = created[:, None] + np.cumsum(lasting, axis=1)
        won = status == "won"
        # A won plan finished every step by today: shift its days back when they would not.
        shift = np.where(won, np.maximum(done_on[:, -1] - today, 0), 0)
        created, done_on = created - shift, done_on - shift[:, None]
        close = np.where(
            won,
            done_on[:, -1],
            np.where(status == "lost", np.minimum(created + rng.integers(10, 200, n), today), -1),
        )
        horizon = np.where(close >= 0, close, today)
        completed = np.where(
            (done_on <= horizon[:, None]) & (status != "draft")[:, None], done_on, -1
        )
        target = done_on[:, -1] + 5
        committed = status != "draft"
        offsets = np.array([t or 0 for t in TURNAROUNDS])
        baseline_due = np.where(
            committed[:, None], created[:, None] + np.cumsum(offsets)[None, :] + 3, -1
        )

        created_dt = self._moment(created)
        close_date = self._date(close)
        target_date = self._date(target)
        committed_date = self._moment(np.where(committed, created, -1))
        deals, plans = [], []
        ws = self.workspace_id
        for i, pid in enumerate(ids.tolist()):
            deals.append(
                (pid, f"Account {pid}", ACCOUNTS[account[i]], "", "50000.00", "USD",
                 "evaluation", "", created_dt[i], 1, None, ws, close_date[i], "", "")
            )  # fmt: skip
            plans.append(
                (pid, str(status[i]), target_date[i], target_date[i], "", "", False, "standard",
                 created_dt[i], created_dt[i], committed_date[i], None, None, 1, None, pid, ws,
                 "", 0, "", None)
            )  # fmt: skip
        row_ids = (ids[:, None] - 1) * ROWS + np.arange(ROWS)[None, :] + 1
        flat_completed = completed.ravel()
        due = self._date(baseline_due.ravel())
        done = self._date(flat_completed)
        added = np.repeat(created_dt, ROWS)
        milestones = []
        for k, mid in enumerate(row_ids.ravel().tolist()):
            position = k % ROWS
            finished = flat_completed[k] >= 0
            milestones.append(
                (mid, position, STEPS[position].replace("_", " ").capitalize(), STEPS[position],
                 "buyer", "", due[k], due[k], None, TURNAROUNDS[position],
                 "done" if finished else "not_started", "", "", False, "{}", "seller", "",
                 added[k], None, "", done[k], None, 1, int(ids[k // ROWS]), None, None)
            )  # fmt: skip
        dependencies = []
        for mid in row_ids.ravel().tolist():
            position = (mid - 1) % ROWS
            if position:
                dependencies.append((None, mid, mid - 1))
            if position == ROWS - 1:
                dependencies.append((None, mid, mid - 2))
        # A fifth of the steps of committed plans slipped, once or twice, with a reason.
        slipped = (rng.random((n, ROWS)) < 0.2) & committed[:, None]
        where = np.flatnonzero(slipped.ravel())
        where = np.concatenate([where, where[rng.random(where.size) < 0.3]])
        starts = np.concatenate([created[:, None], done_on[:, :-1]], axis=1).ravel()[where]
        slip_day = np.minimum(starts + rng.integers(0, 10, where.size), today)
        slip_dt = self._moment(slip_day)
        slip_date = self._date(baseline_due.ravel()[where])
        moved = rng.integers(1, 15, where.size)
        reason = rng.integers(0, len(REASONS), where.size)
        during = rng.random(where.size) < 0.1
        flat_ids = row_ids.ravel()
        slips = []
        for j, k in enumerate(where.tolist()):
            self.slip_id += 1
            slips.append(
                (self.slip_id, STEPS[k % ROWS], slip_date[j], slip_date[j], int(moved[j]),
                 REASONS[reason[j]], "", bool(during[j]), "seller", "", slip_dt[j], None,
                 int(flat_ids[k]), int(ids[k // ROWS]))
            )  # fmt: skip
        return {
            "plans_deal": deals,
            "plans_plan": plans,
            "plans_milestone": milestones,
            "plans_milestone_depends_on": dependencies,
            "plans_slip": slips,
        }


COLUMNS = {
    "plans_deal": DEAL_COLUMNS,
    "plans_plan": PLAN_COLUMNS,
    "plans_milestone": MILESTONE_COLUMNS,
    "plans_milestone_depends_on": DEPENDENCY_COLUMNS,
    "plans_slip": SLIP_COLUMNS,
}


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def fill(history: History, postgres: bool) -> dict[str, int]:
    """Write every chunk of the history straight into the tables; the row counts."""
    from django.db import connection, transaction

    counts = dict.fromkeys(COLUMNS, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            # The generated rows are consistent: no foreign key trigger per row (3 million).
            cursor.execute("SET LOCAL session_replication_role = replica")
        for chunk in history.chunks():
            for table, rows in chunk.items():
                columns = COLUMNS[table]
                if table == "plans_milestone_depends_on":
                    columns, rows = columns[1:], [row[1:] for row in rows]
                counts[table] += len(rows)
                names = ", ".join(columns)
                if postgres:
                    buffer = io.StringIO()
                    for row in rows:
                        buffer.write("\t".join(_copy_text(v) for v in row))
                        buffer.write("\n")
                    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        copy.write(buffer.getvalue())
                else:
                    marks = ", ".join("?" * len(columns))
                    cursor.connection.executemany(
                        f"INSERT INTO {table} ({names}) VALUES ({marks})", rows
                    )
        if postgres:
            for table in COLUMNS:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def backend_cpu() -> float:
    """CPU seconds the PostgreSQL backend serving this connection has used, when it runs on
    this machine (read from /proc), else 0: SQLite's work is this process's own."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(repeat: int, work: Any) -> tuple[list[float], list[float], Any]:
    """Wall seconds and CPU seconds (this process and its database backend) of each run."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        server = backend_cpu()
        began, began_cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu + backend_cpu() - server)
    return times, cpu, result


def child(database_url: str, plans: int, repeat: int) -> dict[str, Any]:
    """One measurement in a temporary data directory, removed afterwards (a million
    milestones make a SQLite file of several hundred megabytes)."""
    data_dir = tempfile.mkdtemp(prefix="mutualplan-bench-analytics-")
    os.environ["MUTUALPLAN_DATA_DIR"] = data_dir
    try:
        return measure(database_url, plans, repeat)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(database_url: str, plans: int, repeat: int) -> dict[str, Any]:
    """A fresh database filled, the readings timed."""
    postgres = database_url != "sqlite"
    if postgres:
        recreate_postgres(database_url)
        os.environ["MUTUALPLAN_DATABASE_URL"] = database_url
    from mutualplan.commands.common import migrate_database, setup_django

    setup_django()
    migrate_database()
    from django.db import connection

    from mutualplan.core.cycles import cycle_table
    from mutualplan.core.durations import duration_table
    from mutualplan.plans.learning import deal_outcomes, step_columns
    from mutualplan.workspaces.models import Workspace
    from mutualplan.workspaces.services import onboard_seller

    onboard_seller("bench@example.com", workspace="bench", name="Bench Seller")
    workspace = Workspace.objects.get(slug="bench")
    began = time.perf_counter()
    counts = fill(History(plans, workspace.pk, postgres), postgres)
    filled = time.perf_counter() - began

    step_times, step_cpu, table = timed(
        repeat, lambda: duration_table(step_columns(workspace, TODAY))
    )
    cycle_times, cycle_cpu, cycles = timed(
        repeat, lambda: cycle_table(deal_outcomes(workspace, TODAY))
    )
    columns = step_columns(workspace, TODAY)
    return {
        "database": connection.vendor,
        "counts": counts,
        "fill_s": filled,
        "observations": int(columns.days.size),
        "duration_rows": len(table),
        "cycle_rows": len(cycles),
        "seconds": {"step durations": step_times, "deal cycles": cycle_times},
        "cpu_seconds": {"step durations": step_cpu, "deal cycles": cycle_cpu},
        "load": os.getloadavg()[0],
        "sample": [_row_text(row) for row in table[:4]],
        "cycle_sample": [_cycle_text(row) for row in cycles[-3:]],
    }


def _row_text(row: Any) -> str:
    median = "-" if row.median.value is None else f"{row.median.value:.1f}"
    p80 = "-" if row.p80.value is None else f"{row.p80.value:.1f}"
    return (
        f"{row.step_type} / {row.account_type or 'all'}: {row.observations:,} steps "
        f"({row.open:,} open), median {median} d, P80 {p80} d"
    )


def _cycle_text(row: Any) -> str:
    fields = {k: v for k, v in vars(row).items() if isinstance(v, (int, float, str)) or v is None}
    return ", ".join(
        f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in fields.items()
    )


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", action="append", help="sqlite or postgresql://...")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plans < 1 or args.repeat < 1:
        print("error: --plans and --repeat must be at least 1", file=sys.stderr)
        return 2
    if args.child:
        try:
            print(json.dumps(child(args.child, args.plans, args.repeat)))
        except BenchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    results = []
    for url in args.database_url or ["sqlite"]:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", url, "--plans", str(args.plans)]
            + ["--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"error: {url}: {proc.stderr.strip()[-2000:]}", file=sys.stderr)
            return 2
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    missed = any(_median(t) > TARGET_S for r in results for t in r["seconds"].values())
    if args.json:
        print(json.dumps({"results": results, "target_s": TARGET_S, "met": not missed}))
        return 1 if missed else 0
    print(
        f"Learning from history, {args.plans:,} plans ({platform.python_version()}, "
        f"{os.cpu_count()} cores); target: median under {TARGET_S:.0f} s"
    )
    for r in results:
        c = r["counts"]
        print(
            f"  {r['database']}: filled {c['plans_milestone']:,} milestones, "
            f"{c['plans_milestone_depends_on']:,} dependencies, {c['plans_slip']:,} slips "
            f"in {r['fill_s']:.0f} s; {r['observations']:,} observations, "
            f"{r['duration_rows']} duration rows, {r['cycle_rows']} cycle rows"
        )
        print(f"    load average {r['load']:.1f} on {os.cpu_count()} cores while timing")
        for step, times in r["seconds"].items():
            median = _median(times)
            runs = ", ".join(f"{t:.2f}" for t in times)
            flag = "ok" if median <= TARGET_S else "MISS"
            cpu = _median(r["cpu_seconds"][step])
            print(
                f"    {step:<15} median {median:5.2f} s  (runs {runs}; "
                f"CPU {cpu:.2f} s incl. the database)  {flag}"
            )
        for line in r["sample"]:
            print(f"    {line}")
        for line in r["cycle_sample"]:
            print(f"    {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
