"""`mutualplan restore`: a backup back into an empty data dir or database.

Into the same engine, the database copy itself goes back (SQLite's backup API into the app's
database file; `pg_restore` on PostgreSQL), then migrations run, so that a backup made by an
older version is upgraded. Into the other engine (moving from SQLite to PostgreSQL, or back),
the target is migrated and the archive's portable rows are loaded with Django's `loaddata` in
one transaction: every model of every app, primary keys kept, sequences reset afterwards.

Nothing is touched before every check has passed: the archive is whole, this version knows
its migrations, the target holds no data, the PostgreSQL tools are there.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from mutualplan.ops import archive, database, postgres
from mutualplan.ops.archive import BackupError, Manifest

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    manifest: Manifest
    target: str
    method: str
    counts: dict[str, int]
    key_path: Path
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        made = self.manifest
        return [
            f"Restored {self.source} (a {ENGINE_NAMES[made.engine]} backup of {made.created_at}, "
            f"mutualplan {made.app_version}) into {self.target}, {self.method}.",
            f"  {archive.count_line(self.counts)}",
            f"  Secret key written to {self.key_path}.",
            *(f"warning: {warning}" for warning in self.warnings),
        ]


def restore_backup(path: Path, pg_bin: Path | None = None) -> RestoreResult:
    """Restore the backup at `path` into the configured database, which must hold no data."""
    with archive.open_archive(path) as backup:
        manifest = backup.manifest
        target_engine = database.engine()
        target = database.describe()
        _check_migrations(manifest, path, same_engine=manifest.engine == target_engine)
        try:
            held = database.held_data()
        except DatabaseError as exc:
            raise BackupError(f"cannot reach {target}: {exc}") from None
        if held:
            what = ", ".join(
                f"{rows} {name} row{'' if rows == 1 else 's'}" for name, rows in held.items()
            )
            raise BackupError(
                f"{target} already holds data ({what}); nothing was changed. Restore only into "
                "an empty data dir or database: point MUTUALPLAN_DATA_DIR (--data-dir) or "
                "MUTUALPLAN_DATABASE_URL at a new one."
            )
        pg_restore = None
        if manifest.engine == target_engine == "postgresql":
            pg_restore = postgres.find_tool(
                "pg_restore",
                pg_bin,
                int(manifest.tools.get("pg_dump", "0").split(".")[0]),
                "the pg_dump that wrote this backup",
            )
        key = backup.read(archive.SECRET_KEY).decode().strip()
        with tempfile.TemporaryDirectory(prefix="mutualplan-restore-") as tmp:
            work = Path(tmp)
            try:
                if manifest.engine != target_engine:
                    method = _load_rows(backup.extract(archive.DATA, work))
                elif pg_restore is not None:
                    method = _pg_restore(backup.extract(manifest.database_member, work), pg_restore)
                else:
                    method = _copy_sqlite(backup.extract(manifest.database_member, work))
            except DatabaseError as exc:
                raise BackupError(f"restoring into {target} failed: {exc}") from None
    key_path, warnings = _write_secret_key(key)
    counts = database.count_rows()
    if counts != manifest.counts:
        raise BackupError(
            f"the restored database does not hold what the backup lists: "
            f"{archive.count_line(counts)} instead of {archive.count_line(manifest.counts)}"
        )
    return RestoreResult(path, manifest, target, method, counts, key_path, warnings)


def _check_migrations(manifest: Manifest, path: Path, same_engine: bool) -> None:
    made_at = set(manifest.migrations)
    known = database.known_migrations()
    unknown = sorted(made_at - known)
    if unknown:
        raise BackupError(
            f"{path} was made by a newer mutualplan ({manifest.app_version}), with migrations "
            f"this version does not have ({', '.join('.'.join(m) for m in unknown)}); "
            "upgrade mutualplan first"
        )
    if not same_engine and made_at != known:
        # Rows load into today's tables as they are: the columns must be the same.
        raise BackupError(
            f"{path} was made at an older database schema (mutualplan {manifest.app_version}). "
            f"To move it to {ENGINE_NAMES[database.engine()]}, restore it into an empty "
            f"{ENGINE_NAMES[manifest.engine]} database with this version first (which upgrades "
            "it), back that up, and restore the new backup here"
        )


def _migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def _copy_sqlite(copy: Path) -> str:
    target = Path(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])
    database.reset_connections()
    source = sqlite3.connect(copy)
    dest = sqlite3.connect(target, timeout=30)
    try:
        # Through SQLite, page by page under its locks, as the backup was taken.
        source.backup(dest, pages=-1)
        # The archive's copy is a single file; the app runs its database in WAL mode.
        dest.execute("PRAGMA journal_mode=WAL")
    finally:
        dest.close()
        source.close()
    _migrate()
    return "with SQLite's backup API"


def _pg_restore(dump: Path, tool: postgres.Tool) -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    tables = connection.introspection.table_names()
    if tables:
        # Only what migrations made (the target holds no data): the dump brings its own.
        with transaction.atomic(), connection.cursor() as cursor:
            names = ", ".join(connection.ops.quote_name(table) for table in tables)
            cursor.execute(f"DROP TABLE {names} CASCADE")
    database.reset_connections()
    try:
        postgres.run(
            tool,
            # Objects owned by whoever restores, without the source's grants and comments
            # (which name roles and schemas this server may not have).
            ["--no-owner", "--no-privileges", "--no-comments"]
            + ["--single-transaction", "--exit-on-error", str(dump)],
            connection.settings_dict,
        )
    except BackupError as exc:
        raise BackupError(
            f"{exc}\nThe database held no data and now has no tables; fix the cause and "
            "restore again."
        ) from None
    _migrate()
    return "with pg_restore"


def _load_rows(data: Path) -> str:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session

    _migrate()
    with transaction.atomic():
        # migrate made these with keys of its own; the backup's rows refer to the backup's.
        Permission.objects.all().delete()
        ContentType.objects.all().delete()
        Session.objects.all().delete()
        # In dependency order, keys kept, constraints checked at the end, sequences reset.
        call_command("loaddata", str(data), verbosity=0)
    ContentType.objects.clear_cache()
    return "row by row (Django serialization)"


def _write_secret_key(key: str) -> tuple[Path, list[str]]:
    folder = database.data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    partial = folder / ".secret_key.partial"
    partial.write_text(key)
    partial.chmod(0o600)
    partial.replace(path)
    warnings = []
    if os.environ.get("MUTUALPLAN_SECRET_KEY") and key != settings.SECRET_KEY:
        warnings.append(
            "MUTUALPLAN_SECRET_KEY is set and is not the backup's key: buyers' saved names and "
            f"password-reset links from before will not verify. Unset it to use {path}."
        )
    return path, warnings
