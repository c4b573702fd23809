"""The backup file: one gzipped tar archive that holds everything a restore needs.

    manifest.json     what the archive is: format version, engine, app version, when it was
                      made, row counts, the database migrations it was made at
    database.sqlite3  SQLite: a copy made through SQLite's online backup API      (or)
    database.pgdump   PostgreSQL: `pg_dump --format=custom`, for `pg_restore`
    data.jsonl        every row of every model (Django's serialization, primary keys kept),
                      taken from the same moment: restores into the other engine read this
    secret_key        the key that signs buyer cookies and password-reset links

No Django here: this module only reads and writes the file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT = "mutualplan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.jsonl"
SECRET_KEY = "secret_key"
ENGINES = ("sqlite", "postgresql")
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# What the summary and the manifest count, in this order.
COUNTED = ("workspaces", "users", "plans", "milestones", "slips", "activities")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    app_version: str
    created_at: str  # ISO 8601, UTC
    counts: dict[str, int]
    # (app label, migration name) of every migration applied in the backed-up database.
    migrations: list[tuple[str, str]]
    # Versions of the tools involved, e.g. {"postgresql": "15.20", "pg_dump": "15.20"}.
    tools: dict[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    @property
    def database_member(self) -> str:
        return DATABASE_FILES[self.engine]

    def to_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "format_version": self.format_version,
            "engine": self.engine,
            "app_version": self.app_version,
            "created_at": self.created_at,
            "counts": self.counts,
            "migrations": [list(m) for m in self.migrations],
            "tools": self.tools,
        }
        return json.dumps(body, indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes, source: Path) -> Manifest:
        """The manifest read from `raw`; BackupError when it is not one this version reads."""
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise BackupError(f"{source} is not a mutualplan backup (its manifest is unreadable)")
        version = body.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"{source} was written by a newer mutualplan ({body.get('app_version')}, backup "
                f"format {version}); upgrade mutualplan to restore it"
            )
        try:
            manifest = cls(
                engine=str(body["engine"]),
                app_version=str(body["app_version"]),
                created_at=str(body["created_at"]),
                counts={str(k): int(v) for k, v in body["counts"].items()},
                migrations=[(str(app), str(name)) for app, name in body["migrations"]],
                tools={str(k): str(v) for k, v in body.get("tools", {}).items()},
                format_version=version,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError(f"{source} has a damaged manifest; it cannot be restored") from None
        if manifest.engine not in ENGINES:
            raise BackupError(f"{source} is a backup of an unknown database ({manifest.engine})")
        return manifest


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def output_path(path: Path, now: dt.datetime) -> Path:
    """Where a backup asked for at `path` goes: a dated file inside a folder, or `path` itself."""
    if path.is_dir():
        return path / f"mutualplan-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    if path.exists():
        raise BackupError(
            f"{path} already exists; a backup never overwrites a file, name a new one"
        )
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    return path


def write_archive(path: Path, manifest: Manifest, files: dict[str, Path], secret_key: str) -> int:
    """Write the archive at `path`, whole or not at all; its size in bytes.

    It is written to a hidden file next to `path` and renamed when complete, so an interrupted
    backup never leaves a file that looks like a good one. Readable by its owner only: it holds
    the secret key, password hashes and every plan.
    """
    fd, partial_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    partial = Path(partial_name)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, MANIFEST, manifest.to_json())
            for name, source in files.items():
                tar.add(source, arcname=name, recursive=False)
            _add_bytes(tar, SECRET_KEY, secret_key.encode())
        partial.chmod(0o600)
        if path.exists():  # made meanwhile: keep it
            raise BackupError(f"{path} appeared while the backup was written; nothing was replaced")
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(now_utc().timestamp())
    tar.addfile(info, io.BytesIO(data))


@dataclass
class Archive:
    """An open backup file whose manifest has been read and checked."""

    path: Path
    tar: tarfile.TarFile
    manifest: Manifest

    def read(self, name: str) -> bytes:
        with self._open(name) as member:
            return member.read()

    def extract(self, name: str, folder: Path) -> Path:
        """Copy one member into `folder` (by its fixed name: never a path from the archive)."""
        target = folder / name
        with self._open(name) as member, target.open("wb") as out:
            shutil.copyfileobj(member, out, 1024 * 1024)
        return target

    def _open(self, name: str) -> IO[bytes]:
        return _member(self.tar, self.path, name)


def _member(tar: tarfile.TarFile, path: Path, name: str) -> IO[bytes]:
    try:
        member = tar.extractfile(name)
    except KeyError:
        member = None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{path} is damaged ({exc}); it cannot be restored") from None
    if member is None:
        raise BackupError(f"{path} has no {name}; it is incomplete and cannot be restored")
    return member


@contextmanager
def open_archive(path: Path) -> Iterator[Archive]:
    """Open a backup file for reading; BackupError when it is missing or not a backup."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115  (closed by `with tar` below)
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(f"{path} is not a mutualplan backup (not a tar.gz archive)") from None
    with tar:
        try:
            names = set(tar.getnames())
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{path} is damaged ({exc}); it cannot be restored") from None
        if MANIFEST not in names:
            raise BackupError(f"{path} is not a mutualplan backup (it has no {MANIFEST})")
        with _member(tar, path, MANIFEST) as raw:
            manifest = Manifest.from_json(raw.read(), path)
        for needed in (manifest.database_member, DATA, SECRET_KEY):
            if needed not in names:
                raise BackupError(
                    f"{path} has no {needed}; it is incomplete and cannot be restored"
                )
        yield Archive(path, tar, manifest)


def count_line(counts: dict[str, Any]) -> str:
    """'2 workspaces, 1 user, 12 plans, …' in the order of COUNTED."""
    return ", ".join(plural(counts.get(name, 0), name) for name in COUNTED)


def plural(number: int, name: str) -> str:
    one = {"activities": "activity"}.get(name, name.removesuffix("s"))
    return f"{number} {one if number == 1 else name}"


def size_text(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} kB"
