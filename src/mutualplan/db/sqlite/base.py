"""SQLite with its connections kept for reuse.

Under ASGI, Django runs each request's synchronous code in a fresh thread, and database
connections are per thread, so every request would open SQLite anew: connect, register
Django's SQL functions, run the PRAGMAs. This backend hands a closed connection back to a
small process-wide pool instead, rolled back and ready, and takes the next one from there.
"""

from __future__ import annotations

import queue
import sqlite3
from typing import Any

from django.db.backends.sqlite3 import base

POOL_SIZE = 8


class DatabaseWrapper(base.DatabaseWrapper):
    _pools: dict[str, queue.SimpleQueue[sqlite3.Connection]] = {}

    def _pool(self) -> queue.SimpleQueue[sqlite3.Connection]:
        return self._pools.setdefault(str(self.settings_dict["NAME"]), queue.SimpleQueue())

    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        if not self.is_in_memory_db():
            try:
                return self._pool().get_nowait()
            except queue.Empty:
                pass
        return super().get_new_connection(conn_params)

    def _close(self) -> None:
        conn = self.connection
        if conn is None or self.is_in_memory_db():
            super()._close()  # type: ignore[misc]  # missing from the stubs
            return
        with self.wrap_database_errors:
            if conn.in_transaction:
                conn.rollback()
            pool = self._pool()
            if pool.qsize() < POOL_SIZE:
                pool.put(conn)
            else:
                conn.close()
