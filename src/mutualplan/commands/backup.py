"""`mutualplan backup | restore`: the whole installation to one file and back (see ops/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mutualplan.commands.common import data_dir_option, fail, option, setup_django

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def pg_bin_option(func: F) -> F:
    return option(
        "--pg-bin",
        envvar="MUTUALPLAN_PG_BIN",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder of pg_dump and pg_restore, for PostgreSQL (default: found on PATH).",
    )(func)


def _run(action: Callable[[], T]) -> T:
    from mutualplan.ops.archive import BackupError

    try:
        return action()
    except BackupError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@pg_bin_option
@data_dir_option
def backup(path: Path, pg_bin: Path | None, data_dir: str | None) -> None:
    """Back up the database and the secret key to PATH, safely while the server runs.

    PATH is a new file, or a folder to write a dated mutualplan-backup-*.tar.gz into. SQLite is
    copied with its online backup API, PostgreSQL with pg_dump.
    """
    setup_django(data_dir)
    from mutualplan.ops.backup import create_backup

    result = _run(lambda: create_backup(path, pg_bin=pg_bin))
    click.echo("\n".join(result.summary()))


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@pg_bin_option
@data_dir_option
def restore(path: Path, pg_bin: Path | None, data_dir: str | None) -> None:
    """Restore a backup into an empty data dir or database (stop the server first).

    A SQLite backup restores into PostgreSQL when MUTUALPLAN_DATABASE_URL points at an empty
    PostgreSQL database, and back: every row is copied, keys kept.
    """
    setup_django(data_dir)
    from mutualplan.ops.restore import restore_backup

    result = _run(lambda: restore_backup(path, pg_bin=pg_bin))
    click.echo("\n".join(result.summary()))
