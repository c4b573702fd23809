"""`mutualplan backup`: a consistent copy of a running installation in one file.

Everything in the archive comes from one moment of the database, while the server goes on
writing: on SQLite, the online backup API copies the database in one step (one read
transaction; in WAL mode writers are not held up) and the rest is read from that copy; on
PostgreSQL, one REPEATABLE READ transaction exports its snapshot, `pg_dump` dumps that
snapshot, and the counts and the portable rows are read in the same transaction.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from mutualplan.ops import archive, database, postgres
from mutualplan.ops.archive import BackupError, Manifest
from mutualplan.ops.exact_jsonl import FORMAT


@dataclass(frozen=True)
class Snapshot:
    """What was read from the backup's moment, besides the files."""

    counts: dict[str, int]
    migrations: list[tuple[str, str]]
    tools: dict[str, str]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    source: str
    size: int
    manifest: Manifest

    def summary(self) -> list[str]:
        return [
            f"Backed up {self.source} to {self.path} ({archive.size_text(self.size)}).",
            f"  {archive.count_line(self.manifest.counts)}",
            "  The file holds the secret key and every account's data: keep it private.",
        ]


def create_backup(path: Path, pg_bin: Path | None = None) -> BackupResult:
    """Back up the configured database and the secret key to `path` (a file or a folder)."""
    now = archive.now_utc()
    output = archive.output_path(path, now)
    kind = database.engine()
    with tempfile.TemporaryDirectory(prefix="mutualplan-backup-") as tmp:
        work = Path(tmp)
        try:
            snapshot = _snapshot_sqlite(work) if kind == "sqlite" else _snapshot_pg(work, pg_bin)
        except DatabaseError as exc:
            raise BackupError(f"cannot read {database.describe()}: {exc}") from None
        manifest = Manifest(
            engine=kind,
            app_version=version("mutualplan"),
            created_at=now.isoformat(),
            counts=snapshot.counts,
            migrations=snapshot.migrations,
            tools=snapshot.tools,
        )
        files = {
            manifest.database_member: work / manifest.database_member,
            archive.DATA: work / archive.DATA,
        }
        size = archive.write_archive(output, manifest, files, settings.SECRET_KEY)
    return BackupResult(output, database.describe(), size, manifest)


def _snapshot_sqlite(work: Path) -> Snapshot:
    db_path = Path(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])
    if not db_path.is_file():
        raise BackupError(
            f"there is no database at {db_path} to back up (is MUTUALPLAN_DATA_DIR right?)"
        )
    copy = work / archive.DATABASE_FILES["sqlite"]
    # Never a file copy: a live WAL database is the main file plus the -wal file, changing.
    source = sqlite3.connect(db_path, timeout=30)
    target = sqlite3.connect(copy)
    try:
        # pages=-1: the whole database in one step, i.e. one read transaction, one moment.
        source.backup(target, pages=-1)
        # One self-contained file in the archive, whatever the journal mode of the original.
        target.execute("PRAGMA journal_mode=DELETE")
        (check,) = target.execute("PRAGMA integrity_check").fetchone()
    finally:
        target.close()
        source.close()
    if check != "ok":
        raise BackupError(f"the copy of {db_path} fails SQLite's integrity check: {check}")
    with database.sqlite_alias(copy) as alias:
        return _read_snapshot(alias, work, tools={"sqlite": sqlite3.sqlite_version})


def _snapshot_pg(work: Path, pg_bin: Path | None) -> Snapshot:
    connection = connections[DEFAULT_DB_ALIAS]
    server = connection.pg_version  # type: ignore[attr-defined]  # e.g. 150020
    server_major = server // 10000
    pg_dump = postgres.find_tool("pg_dump", pg_bin, server_major, "the PostgreSQL server")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The first statement of the transaction: its snapshot is the backup's moment.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        dump = work / archive.DATABASE_FILES["postgresql"]
        postgres.run(
            pg_dump,
            ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
            connection.settings_dict,
        )
        tools = {
            "postgresql": f"{server_major}.{server % 10000}",
            "pg_dump": pg_dump.version,
        }
        return _read_snapshot(DEFAULT_DB_ALIAS, work, tools)


def _read_snapshot(alias: str, work: Path, tools: dict[str, str]) -> Snapshot:
    """Counts, migrations and every row (data.jsonl) of the snapshot `alias` reads."""
    if not database.has_schema(alias):
        raise BackupError(
            f"{database.describe()} has no mutualplan tables: nothing to back up "
            "(is MUTUALPLAN_DATA_DIR or MUTUALPLAN_DATABASE_URL right?)"
        )
    # Portable rows for a restore into the other engine: every model of every app, in
    # dependency order, primary keys kept.
    call_command(
        "dumpdata", format=FORMAT, database=alias, output=str(work / archive.DATA), verbosity=0
    )
    return Snapshot(database.count_rows(alias), database.applied_migrations(alias), tools)
