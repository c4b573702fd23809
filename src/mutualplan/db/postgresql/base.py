"""PostgreSQL whose pooled connections are checked at checkout, without a round trip.

Django 5.2's pool (psycopg_pool) hands out an idle connection as it is. When PostgreSQL
restarts, or an administrator terminates backends, every idle pooled connection is dead and
the first query of each request that draws one fails. A terminated backend sends an error and
closes its socket, so a dead idle connection has a readable socket: this backend looks at that
(a non-blocking `poll`, no message to the server) and only pings a connection whose socket
speaks while it should be silent. A dead one is closed and handed back, which makes the pool
replace it, and the next one is tried at once, within the pool's wait timeout.

psycopg_pool's own `check` callback runs a query on every checkout and, after a failed check,
sleeps a second or more before trying the next connection; hence this, in `getconn`.
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from typing import Any

import psycopg
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg import pq
from psycopg_pool import ConnectionPool


def looks_alive(conn: psycopg.Connection[Any]) -> bool:
    """False when an idle connection is closed or its server went away; cheap when it is fine."""
    if conn.closed or conn.broken:
        return False
    pgconn = conn.pgconn
    if pgconn.status != pq.ConnStatus.OK or (
        pgconn.transaction_status != pq.TransactionStatus.IDLE
    ):
        return False
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
    if not poller.poll(0):
        return True  # nothing said while idle: the usual case, and no round trip
    # The server spoke to an idle connection: usually a FATAL error before it hung up (a
    # restart, pg_terminate_backend), rarely a harmless notice. Ask it.
    try:
        ConnectionPool.check_connection(conn)
    except psycopg.Error:
        return False
    return True


class CheckedConnectionPool(ConnectionPool):
    """A pool whose `getconn` skips (and replaces) connections that died while idle."""

    def getconn(self, timeout: float | None = None) -> psycopg.Connection[Any]:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            # The pool refuses a wait of 0 even with a connection ready: keep a sliver.
            conn = super().getconn(max(deadline - time.monotonic(), 0.001))
            if looks_alive(conn):
                return conn
            # Closed, it counts as broken: the pool discards it and opens a replacement.
            conn.close()
            self.putconn(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    # Django's, missing from its type stubs.
    _connection_pools: dict[str, ConnectionPool]
    _configure_connection: Callable[[psycopg.Connection[Any]], None]

    @property
    def pool(self) -> ConnectionPool | None:
        options = self.settings_dict["OPTIONS"].get("pool")
        if options and self.alias not in self._connection_pools and self.alias != NO_DB_ALIAS:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                return super().pool  # raises Django's own error
            connect_kwargs = self.get_connection_params()
            # As Django's own pool: autocommit while pooled, Django sets it per request.
            connect_kwargs["autocommit"] = True
            pool = CheckedConnectionPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,
                **({} if options is True else options),
            )
            self._connection_pools.setdefault(self.alias, pool)
        return super().pool
