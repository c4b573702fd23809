"""PostgreSQL's client programs (`pg_dump`, `pg_restore`): found, version-checked and run.

A `pg_dump` older than the server refuses to dump it, and a `pg_restore` older than the
`pg_dump` that wrote an archive cannot read it: both are checked first, so that the message
names the program, the versions and how to install the right one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutualplan.ops.archive import BackupError

# libpq connection parameters that Django's OPTIONS may carry (the rest are Django's own).
LIBPQ_OPTIONS = (
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "connect_timeout",
    "application_name",
    "options",
    "passfile",
    "service",
    "target_session_attrs",
)
VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
PURPOSE = {
    "pg_dump": "backs up a PostgreSQL database",
    "pg_restore": "restores a PostgreSQL backup",
}


@dataclass(frozen=True)
class Tool:
    path: Path
    major: int
    version: str  # e.g. "15.20"


def install_hint(major: int) -> str:
    return (
        f"install the PostgreSQL {major} (or newer) client tools: on Debian or Ubuntu "
        f"`apt-get install postgresql-client` (or `postgresql-client-{major}`, from "
        "apt.postgresql.org when your release lacks it); elsewhere your system's PostgreSQL "
        "client package. Or point --pg-bin (MUTUALPLAN_PG_BIN) at the folder that holds them"
    )


def find_tool(name: str, pg_bin: Path | None, need_major: int, need_why: str) -> Tool:
    """The program `name` (in `pg_bin`, else on PATH), at least version `need_major`."""
    where = f"in {pg_bin}" if pg_bin else "on PATH"
    found = pg_bin / name if pg_bin else shutil.which(name)
    path = Path(found) if found else None
    if path is None or not os.access(path, os.X_OK) or path.is_dir():
        raise BackupError(
            f"{name} was not found {where}; it {PURPOSE[name]}. To get it, "
            f"{install_hint(need_major)}."
        )
    tool = tool_version(path)
    if tool.major < need_major:
        raise BackupError(
            f"{name} {tool.version} ({path}) is older than {need_why} (version {need_major}) and "
            f"cannot work with it; {install_hint(need_major)}."
        )
    return tool


def tool_version(path: Path) -> Tool:
    """Ask the program its version (`pg_dump --version` prints 'pg_dump (PostgreSQL) 15.20')."""
    try:
        done = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"{path} could not be run: {exc}") from None
    match = VERSION.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise BackupError(
            f"{path} --version did not say which PostgreSQL version it is: "
            f"{(done.stdout + done.stderr).strip()[:200]!r}"
        )
    major, minor = match.group(1), match.group(2)
    return Tool(path, int(major), f"{major}.{minor}" if minor else major)


def connection(settings_dict: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A libpq connection string (without the password) and the environment to run a tool in.

    The password goes through PGPASSWORD, never the command line (which `ps` shows).
    """
    from psycopg.conninfo import make_conninfo

    options = settings_dict.get("OPTIONS") or {}
    params = {
        "dbname": settings_dict.get("NAME"),
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
        **{key: options.get(key) for key in LIBPQ_OPTIONS},
    }
    conninfo = make_conninfo("", **{k: str(v) for k, v in params.items() if v not in (None, "")})
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return conninfo, env


def run(tool: Tool, args: list[str], settings_dict: dict[str, Any]) -> None:
    """Run the tool against the database; BackupError with its own message when it fails."""
    conninfo, env = connection(settings_dict)
    # --no-password: fail at once instead of waiting for a password at a prompt.
    command = [str(tool.path), "--no-password", f"--dbname={conninfo}", *args]
    try:
        done = subprocess.run(
            command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise BackupError(f"{tool.path} could not be run: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.strip() or done.stdout.strip() or "no message"
        raise BackupError(
            f"{tool.path.name} failed (exit code {done.returncode}): {message[-2000:]}"
        )
