"""`mutualplan restore`: into an empty installation only, across engines, and clear refusals."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mutualplan.cli import main
from mutualplan.ops import postgres as pg_tools
from mutualplan.ops.archive import BackupError
from tests.ops.conftest import Installation, InstallationFactory, Postgres

EMAIL = "olivia@acme.example"
PASSWORD = "correct-horse-battery"

# Data of every kind through the services: plans, rows and their dependencies, a share link and
# its buyer, a buyer's row, a sent version, a slip with its reason, a comment, a confirmation.
SEED = """
import datetime as dt
from django.contrib.auth import get_user_model
from mutualplan.demo import load_demo
from mutualplan.plans.actors import Actor
from mutualplan.plans.models import Plan
from mutualplan.plans.services import milestones, plans, versions

load_demo()
seller = Actor.seller(get_user_model().objects.get(email="demo@example.com"))
plan = Plan.objects.get(deal__account_name="Northwind Health")
buyer = Actor.buyer("Priya Raman", "priya@northwind.example", plan.share_links.get())
versions.send_version(plan, seller, "First version")
plan.refresh_from_db()
plans.retarget(
    plan, seller, plan.target_date + dt.timedelta(days=14), plan.version,
    reason_category="legal_or_security_delay", reason_text="Legal is out until the 20th",
)
row = plan.milestones.order_by("position").first()
milestones.add_comment(plan, row.id, buyer, "Our CISO wants to see the SOC 2 report first.")
versions.confirm(plan, buyer)
"""


def backup_of_a_plan(source: Installation, archive: Path) -> None:
    source.cli("createuser", EMAIL, "--password", PASSWORD)
    source.cli("plan", "new", "--account", "Northwind Health", "--user", EMAIL)
    source.cli("backup", str(archive))


def test_restore_refuses_a_target_that_holds_data_and_changes_nothing(
    installation: InstallationFactory, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    source = installation("source")
    source.cli("createuser", EMAIL, "--password", PASSWORD)
    source.cli("backup", str(archive))
    target = installation("target")
    target.cli("createuser", "theo@acme.example", "--password", PASSWORD)
    before, key_before = target.dump(), target.secret_key()

    refused = target.run("restore", str(archive))

    assert refused.returncode == 2
    assert "already holds data (1 user row, 1 workspace row, 1 membership row)" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert target.dump() == before
    assert target.secret_key() == key_before


def test_restore_accepts_a_data_dir_that_only_has_migrations(tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"
    backup_of_a_plan(Installation("sqlite", tmp_path / "source"), archive)
    target = Installation("sqlite", tmp_path / "target")
    target.cli("migrate")

    restored = target.cli("restore", str(archive))

    assert "1 workspace, 1 user, 1 plan, 8 milestones, 0 slips" in restored
    assert "Northwind Health" in target.cli("plan", "list", "--user", EMAIL)


def test_a_sqlite_backup_restored_into_postgresql_copies_every_row_and_back(
    postgres: Postgres, tmp_path: Path
) -> None:
    source = Installation("sqlite", tmp_path / "sqlite-source")
    source.cli("migrate")
    source.python(SEED)
    seller = ("--user", "demo@example.com")
    source.cli("plan", "new", "--account", "Contoso", "--target", "2031-03-31", *seller)
    source.cli("plan", "new", "--account", "Fabrikam", "--from-turnarounds", *seller)
    rows = source.dump()
    assert {"plans.slip", "plans.comment", "plans.confirmation", "plans.planversion"} <= {
        row["model"] for row in rows
    }
    assert any(row["fields"].get("depends_on") for row in rows if row["model"] == "plans.milestone")
    (tmp_path / "backups").mkdir()
    source.cli("backup", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("mutualplan-backup-*.tar.gz")

    moved = Installation("postgresql", tmp_path / "postgresql", postgres.create("moved"))
    summary = moved.cli("restore", str(archive))

    assert "into PostgreSQL database" in summary and "row by row" in summary
    assert moved.dump() == rows
    assert moved.secret_key() == source.secret_key()
    # Sequences continue after the copied keys.
    created = json.loads(moved.cli("plan", "new", "--account", "After the move", "--json", *seller))
    assert created["id"] > max(row["pk"] for row in rows if row["model"] == "plans.plan")

    # And back: a PostgreSQL backup (pg_dump) restores into SQLite just as completely.
    back_archive = tmp_path / "from-postgresql.tar.gz"
    moved.cli("backup", str(back_archive))
    back = Installation("sqlite", tmp_path / "sqlite-again")
    back.cli("restore", str(back_archive))
    assert back.dump() == moved.dump()


def test_a_postgresql_backup_without_pg_dump_names_it_and_writes_nothing(
    postgres: Postgres, tmp_path: Path
) -> None:
    source = Installation("postgresql", tmp_path / "source", postgres.create("source"))
    source.cli("createuser", EMAIL, "--password", PASSWORD)
    (tmp_path / "no-tools").mkdir()
    (tmp_path / "backups").mkdir()

    failed = source.run("backup", str(tmp_path / "backups"), "--pg-bin", str(tmp_path / "no-tools"))

    assert failed.returncode == 2
    assert "pg_dump was not found in" in failed.stderr
    assert "apt-get install postgresql-client" in failed.stderr
    assert list((tmp_path / "backups").iterdir()) == []


def fake_tool(folder: Path, name: str, version_line: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    path.chmod(0o755)
    return path


def test_a_missing_pg_dump_is_named_with_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as error:
        pg_tools.find_tool("pg_dump", tmp_path, 15, "the PostgreSQL server")
    assert f"pg_dump was not found in {tmp_path}" in str(error.value)
    assert "apt-get install postgresql-client" in str(error.value)
    assert "PostgreSQL 15 (or newer) client tools" in str(error.value)


def test_a_pg_dump_older_than_the_server_is_refused_with_both_versions(tmp_path: Path) -> None:
    fake_tool(tmp_path, "pg_dump", "pg_dump (PostgreSQL) 13.4 (Debian 13.4-1)")
    with pytest.raises(BackupError) as error:
        pg_tools.find_tool("pg_dump", tmp_path, 15, "the PostgreSQL server")
    assert "pg_dump 13.4" in str(error.value)
    assert "older than the PostgreSQL server (version 15)" in str(error.value)
    assert "apt-get install postgresql-client" in str(error.value)
    fake_tool(tmp_path, "pg_dump", "pg_dump (PostgreSQL) 16.2")
    assert pg_tools.find_tool("pg_dump", tmp_path, 15, "the server").version == "16.2"


# The refusals below happen before any database is opened.


def restore(path: Path) -> Any:
    return CliRunner().invoke(main, ["restore", str(path)], catch_exceptions=False)


def archive_with(path: Path, manifest: dict[str, Any], members: tuple[str, ...]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode())] + [
            (member, b"") for member in members
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


MANIFEST = {
    "format": "mutualplan-backup",
    "format_version": 1,
    "engine": "sqlite",
    "app_version": "9.0.0",
    "created_at": "2030-01-01T00:00:00+00:00",
    "counts": {},
    "migrations": [["plans", "0001_initial"]],
}
MEMBERS = ("database.sqlite3", "data.jsonl", "secret_key")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "notes.tar.gz"
    junk.write_text("not an archive")
    result = restore(junk)
    assert result.exit_code == 2
    assert "is not a mutualplan backup (not a tar.gz archive)" in result.output
    result = restore(archive_with(tmp_path / "other.tar.gz", {"format": "other"}, MEMBERS))
    assert result.exit_code == 2 and "is not a mutualplan backup" in result.output
    result = restore(tmp_path / "missing.tar.gz")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_restore_refuses_an_incomplete_backup_naming_what_is_missing(tmp_path: Path) -> None:
    result = restore(archive_with(tmp_path / "b.tar.gz", MANIFEST, ("database.sqlite3",)))
    assert result.exit_code == 2
    assert "has no data.jsonl; it is incomplete" in result.output


def test_restore_refuses_a_backup_from_a_newer_version(tmp_path: Path) -> None:
    newer_format = archive_with(tmp_path / "a.tar.gz", {**MANIFEST, "format_version": 2}, MEMBERS)
    result = restore(newer_format)
    assert result.exit_code == 2
    assert "written by a newer mutualplan (9.0.0, backup format 2)" in result.output
    future = {**MANIFEST, "migrations": [["plans", "0001_initial"], ["plans", "0099_future"]]}
    result = restore(archive_with(tmp_path / "b.tar.gz", future, MEMBERS))
    assert result.exit_code == 2
    assert "made by a newer mutualplan (9.0.0)" in result.output
    assert "plans.0099_future" in result.output


def test_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    existing = tmp_path / "backup.tar.gz"
    existing.write_text("last week's backup")
    result = CliRunner().invoke(main, ["backup", str(existing)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "already exists; a backup never overwrites a file" in result.output
    assert existing.read_text() == "last week's backup"
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "nowhere" / "b.tar.gz")])
    assert result.exit_code == 2 and f"the folder {tmp_path / 'nowhere'} does not exist" in (
        result.output
    )
