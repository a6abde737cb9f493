"""``SqliteHook``, as ``airflow.providers.sqlite.hooks.sqlite.SqliteHook``: the connection's
``host`` is the database file's path."""

from __future__ import annotations

import sqlite3
from typing import Any

from tradewind.hooks.dbapi import DbApiHook


class SqliteHook(DbApiHook):
    """Talk to a SQLite file: ``SqliteHook(sqlite_conn_id="sqlite_default")``."""

    conn_name_attr = "sqlite_conn_id"
    default_conn_name = "sqlite_default"
    conn_type = "sqlite"
    hook_name = "Sqlite"
    placeholder = "?"

    def get_conn(self) -> sqlite3.Connection:
        """A new sqlite3 connection to the file named by the connection's host."""
        conn = self.connection
        # `sqlite:////abs/file.db` parses to an empty host and schema "/abs/file.db"
        return sqlite3.connect(conn.host or conn.schema or ":memory:")

    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        conn.isolation_level = None if autocommit else ""

    def get_autocommit(self, conn: Any) -> bool:
        return conn.isolation_level is None
