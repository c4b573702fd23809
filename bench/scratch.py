"""What the benchmarks share: their error, and a scratch PostgreSQL database made afresh."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


def recreate_postgres(url: str) -> None:
    """Drop and create the database named in `url`, connecting to `postgres` to do it."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name == "postgres":
        raise BenchError(f"--database-url must name a scratch database, not {name or 'none'!r}")
    admin_url = urlunsplit((parts.scheme.split("+", 1)[0], parts.netloc, "/postgres", "", ""))
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise BenchError(f"cannot recreate database {name!r}: {exc}") from exc
