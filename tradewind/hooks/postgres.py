"""``PostgresHook`` on psycopg2, as ``airflow.providers.postgres.hooks.postgres.PostgresHook``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import closing
from typing import Any

from tradewind.errors import TradewindError
from tradewind.hooks.dbapi import DbApiHook

# Extra keys that configure the hook rather than psycopg2.connect (as Airflow's list).
_NOT_CONNECT_ARGS = frozenset(
    {
        "iam",
        "redshift",
        "redshift-serverless",
        "cursor",
        "cluster-identifier",
        "workgroup-name",
        "aws_conn_id",
        "sqlalchemy_scheme",
        "sqlalchemy_query",
    }
)


class PostgresHook(DbApiHook):
    """Talk to PostgreSQL: ``PostgresHook(postgres_conn_id="postgres_default")``.

    The connection's ``schema`` is the database name; extra keys (``sslmode``,
    ``connect_timeout``...) are passed to ``psycopg2.connect``; extra ``cursor`` may be
    ``dictcursor``, ``realdictcursor`` or ``namedtuplecursor``.
    """

    conn_name_attr = "postgres_conn_id"
    default_conn_name = "postgres_default"
    conn_type = "postgres"
    hook_name = "Postgres"
    supports_autocommit = True
    placeholder = "%s"

    def __init__(self, *args: Any, options: str | None = None, **kwargs: Any) -> None:
        database = kwargs.pop("database", None)
        super().__init__(*args, **kwargs)
        self.database = database or self.schema
        self.options = options
        self.conn: Any = None

    @staticmethod
    def _get_cursor(raw_cursor: str) -> Any:
        import psycopg2.extras

        factories = {
            "dictcursor": psycopg2.extras.DictCursor,
            "realdictcursor": psycopg2.extras.RealDictCursor,
            "namedtuplecursor": psycopg2.extras.NamedTupleCursor,
        }
        try:
            return factories[raw_cursor.lower()]
        except KeyError:
            raise TradewindError(
                f"Invalid cursor passed {raw_cursor}. Valid options are: {sorted(factories)}"
            ) from None

    def get_conn(self) -> Any:
        """A new psycopg2 connection."""
        import psycopg2

        conn = self.connection
        args: dict[str, Any] = {
            "host": conn.host,
            "user": conn.login,
            "password": conn.password,
            "dbname": self.database or conn.schema,
            "port": conn.port,
        }
        extra = conn.extra_dejson
        if extra.get("cursor"):
            args["cursor_factory"] = self._get_cursor(extra["cursor"])
        if self.options:
            args["options"] = self.options
        for name, value in extra.items():
            if name not in _NOT_CONNECT_ARGS:
                args[name] = value
        args = {k: v for k, v in args.items() if v is not None}
        try:
            self.conn = psycopg2.connect(**args)
        except psycopg2.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise TradewindError(
                f"cannot connect to Postgres for connection {self.get_conn_id()!r}: {first}",
                hint="check the connection's host, port, login, password and schema",
            ) from None
        return self.conn

    def get_uri(self) -> str:
        """A SQLAlchemy URL (``postgresql://``) for this connection."""
        uri = super().get_uri()
        return uri.replace("postgres://", "postgresql://", 1)

    def copy_expert(self, sql: str, filename: str) -> None:
        """Run ``COPY ... FROM STDIN`` / ``TO STDOUT`` against a local file (created when
        missing, as Airflow does)."""
        self.log.info("Running copy expert: %s, filename: %s", sql, filename)
        if not os.path.isfile(filename):
            with open(filename, "w"):
                pass
        with (
            open(filename, "r+") as file,
            closing(self.get_conn()) as conn,
            closing(conn.cursor()) as cur,
        ):
            cur.copy_expert(sql, file)
            file.truncate(file.tell())
            conn.commit()

    def bulk_load(self, table: str, tmp_file: str) -> None:
        """Load a tab-delimited file into ``table``."""
        self.copy_expert(f"COPY {table} FROM STDIN", tmp_file)

    def bulk_dump(self, table: str, tmp_file: str) -> None:
        """Dump ``table`` into a tab-delimited file."""
        self.copy_expert(f"COPY {table} TO STDOUT", tmp_file)

    def _generate_insert_sql(
        self, table: str, values: Sequence[Any], target_fields: Sequence[str] | None, **kw: Any
    ) -> str:
        placeholders = ", ".join([self.placeholder] * len(values))
        columns = f"({', '.join(target_fields)}) " if target_fields else ""
        sql = f"INSERT INTO {table} {columns}VALUES ({placeholders})"
        if kw.get("replace"):
            if not target_fields:
                raise ValueError("PostgreSQL ON CONFLICT upsert syntax requires column names")
            replace_index = kw.get("replace_index")
            if not replace_index:
                raise ValueError("PostgreSQL ON CONFLICT upsert syntax requires an unique index")
            index = [replace_index] if isinstance(replace_index, str) else list(replace_index)
            updates = [f"{c} = excluded.{c}" for c in target_fields if c not in index]
            action = f"UPDATE SET {', '.join(updates)}" if updates else "NOTHING"
            sql += f" ON CONFLICT ({', '.join(index)}) DO {action}"
        return sql
