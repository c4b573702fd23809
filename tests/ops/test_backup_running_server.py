"""`mutualplan backup` of a running server while the API keeps writing, restored elsewhere.

A writer thread creates plans and moves their dates through the API; after each write it reads
the plan's rows, slips and activity back, so it knows exactly what was committed by when. All
of that, for every write read back before the backup began, must be in the restored database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from tests.conftest import NEW_PLAN, day
from tests.ops.conftest import Installation, InstallationFactory
from tests.server import Server, start_server, stop_server

EMAIL = "olivia@acme.example"
PASSWORD = "correct-horse-battery"


@dataclasses.dataclass(frozen=True)
class Committed:
    """A plan's rows, slips and activity as read back after a write, and when."""

    plan_id: int
    account_name: str
    milestones: set[int]
    slips: set[int]
    activities: set[int]
    read_at: float


class Writer(threading.Thread):
    """Creates plans and retargets them through the API until stopped."""

    def __init__(self, server: Server, token: str) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.token = token
        self.records: list[Committed] = []
        self.versions: dict[int, tuple[int, str]] = {}  # plan id: (version, target date)
        self.done = threading.Event()
        self.error: BaseException | None = None

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, data = self.server.api(method, path, token=self.token, body=body)
        assert status == expect, f"{method} {path}: {status} {data}"
        return data

    def step(self) -> Committed:
        count = len(self.records)
        if count % 3 == 0:
            name = f"Account {count}"
            created = self.call(
                "POST",
                "/plans",
                {**NEW_PLAN, "deal": {**NEW_PLAN["deal"], "account_name": name}}
                | {"target_date": day(90)},
                expect=201,
            )
            plan_id = created["id"]
            self.versions[plan_id] = (created["version"], created["target_date"])
        else:
            plan_id = list(self.versions)[count % len(self.versions)]
            version, target = self.versions[plan_id]
            moved = dt.date.fromisoformat(target) + dt.timedelta(days=1)
            after = self.call(
                "POST",
                f"/plans/{plan_id}/retarget",
                {
                    "target_date": moved.isoformat(),
                    "version": version,
                    "reason_category": "internal_readiness",
                    "reason_text": f"move {count}",
                },
            )
            self.versions[plan_id] = (after["version"], after["target_date"])
        plan = self.call("GET", f"/plans/{plan_id}")
        record = Committed(
            plan_id=plan_id,
            account_name=plan["deal"]["account_name"],
            milestones={m["id"] for m in plan["milestones"]},
            slips={s["id"] for s in self.call("GET", f"/plans/{plan_id}/slips")},
            activities={a["id"] for a in self.call("GET", f"/plans/{plan_id}/activity?limit=1000")},
            read_at=time.monotonic(),
        )
        self.records.append(record)
        return record

    def run(self) -> None:
        try:
            while not self.done.is_set():
                self.step()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=30)

    def committed_before(self, moment: float) -> list[Committed]:
        """The last read-back of each plan before `moment`: all of it was committed by then."""
        latest: dict[int, Committed] = {}
        for record in self.records:
            if record.read_at < moment:
                latest[record.plan_id] = record
        return list(latest.values())


def test_a_backup_of_a_running_server_under_writes_restores_all_it_had_committed(
    installation: InstallationFactory, tmp_path: Path
) -> None:
    source = installation("source")
    server, process = start_server(
        tmp_path / "source-server", data_dir=source.data_dir, extra_env=source.extra_env
    )
    try:
        server.run_cli("createuser", EMAIL, "--password", PASSWORD)
        token = server.run_cli("token", "create", "--user", EMAIL)
        writer = Writer(server, token)
        first = writer.step()
        status, link = server.api(
            "POST", f"/plans/{first.plan_id}/share-links", token=token, body={"label": "champion"}
        )
        assert status == 201
        writer.start()
        while len(writer.records) < 9 and writer.is_alive():
            time.sleep(0.05)
        archive = tmp_path / "backup.tar.gz"
        began = time.monotonic()
        summary = server.run_cli("backup", str(archive))
        ended = time.monotonic()
        writes_during_backup = [r for r in writer.records if began < r.read_at < ended]
        writer.stop()
    finally:
        stop_server(process)
    assert writer.error is None, writer.error
    assert writes_during_backup, "the server wrote nothing while the backup ran"
    assert f"Backed up {'SQLite' if source.engine == 'sqlite' else 'PostgreSQL'}" in summary

    target = installation("restore")
    restored = target.cli("restore", str(archive))
    committed = writer.committed_before(began)
    assert len(committed) >= 2
    ids = target.ids()
    for record in committed:
        assert record.plan_id in ids["plans"], record
        assert record.milestones <= ids["milestones"], record
        assert record.slips <= ids["slips"], record
        assert record.activities <= ids["activities"], record
    assert any(record.slips for record in committed)
    assert f"{len(ids['plans'])} plans, {len(ids['milestones'])} milestones" in restored
    assert target.secret_key() == source.secret_key()
    if target.engine == "sqlite":
        with sqlite3.connect(target.sqlite_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    assert_the_restored_server_serves(target, tmp_path, token, first, link["token"])


def assert_the_restored_server_serves(
    target: Installation, tmp_path: Path, token: str, plan: Committed, share_token: str
) -> None:
    server, process = start_server(
        tmp_path / "restored-server", data_dir=target.data_dir, extra_env=target.extra_env
    )
    try:
        status, body = server.api("GET", f"/plans/{plan.plan_id}", token=token)
        assert status == 200, body
        assert body["deal"]["account_name"] == plan.account_name
        assert {m["id"] for m in body["milestones"]} >= plan.milestones
        status, shared = server.api("GET", f"/shared/{share_token}")
        assert status == 200, shared
        assert plan.account_name in json.dumps(shared)
        status, created = server.api(
            "POST", "/plans", token=token, body={**NEW_PLAN, "target_date": day(60)}
        )
        assert status == 201, created  # keys continue after the restored ones
    finally:
        stop_server(process)
