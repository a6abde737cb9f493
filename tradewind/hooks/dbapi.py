"""``DbApiHook``: the shared base of SQL hooks over a PEP 249 (DB-API 2) driver, as Airflow's
``airflow.providers.common.sql.hooks.sql.DbApiHook``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from typing import Any

from tradewind.hooks.base import BaseHook
from tradewind.sdk.connection import Connection


def fetch_all_handler(cursor: Any) -> list[tuple] | None:
    """Every row of the last statement, or None when it returned no result set."""
    if cursor.description is not None:
        return cursor.fetchall()
    return None


def fetch_one_handler(cursor: Any) -> tuple | None:
    """The first row of the last statement, or None."""
    if cursor.description is not None:
        return cursor.fetchone()
    return None


def return_single_query_results(
    sql: str | Iterable[str], return_last: bool, split_statements: bool
) -> bool:
    """Airflow's rule: a string query returns one result unless it was split and
    ``return_last`` is false; a list of queries returns a list of results."""
    return isinstance(sql, str) and (return_last or not split_statements)


def split_sql_string(sql: str) -> list[str]:
    """Split a script on ``;`` outside quotes, dollar-quotes and comments; drops empty parts."""
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # doubled quote escapes itself
                        end += 2
                        continue
                    break
                end += 1
            current.append(sql[i : end + 1])
            i = end + 1
        elif ch == "$":
            close = sql.find("$", i + 1)
            tag = sql[i : close + 1] if close != -1 else ""
            if tag and (tag == "$$" or tag[1:-1].replace("_", "").isalnum()):
                end = sql.find(tag, close + 1)
                end = n if end == -1 else end + len(tag)
                current.append(sql[i:end])
                i = end
            else:
                current.append(ch)
                i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            current.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end == -1 else end + 2
            current.append(sql[i:end])
            i = end
        elif ch == ";":
            statements.append("".join(current))
            current = []
            i += 1
        else:
            current.append(ch)
            i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    lines = [ln for ln in statement.strip().splitlines() if not ln.strip().startswith("--")]
    text = "\n".join(lines).strip()
    while text.startswith("/*") and "*/" in text:
        text = text[text.index("*/") + 2 :].strip()
    return bool(text)


class DbApiHook(BaseHook):
    """Run SQL over a DB-API connection. Subclasses set ``conn_name_attr``, ``default_conn_name``
    and implement :meth:`get_conn`."""

    conn_name_attr = "conn_id"
    default_conn_name = "default_conn_id"
    supports_autocommit = True
    placeholder = "%s"

    def __init__(self, *args: Any, schema: str | None = None, log_sql: bool = True, **kwargs: Any):
        super().__init__()
        if self.conn_name_attr not in kwargs:
            value = args[0] if args else self.default_conn_name
            setattr(self, self.conn_name_attr, value)
        else:
            setattr(self, self.conn_name_attr, kwargs.pop(self.conn_name_attr))
        self.schema = schema
        self.log_sql = log_sql
        self.descriptions: list[Sequence[Sequence[Any]] | None] = []
        self._connection: Connection | None = None
        self.hook_params = kwargs

    def get_conn_id(self) -> str:
        return getattr(self, self.conn_name_attr)

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = self.get_connection(self.get_conn_id())
        return self._connection

    @property
    def last_description(self) -> Sequence[Sequence[Any]] | None:
        return self.descriptions[-1] if self.descriptions else None

    def get_uri(self) -> str:
        return self.connection.get_uri()

    # -- reading ------------------------------------------------------------------------------
    def get_records(
        self, sql: str | list[str], parameters: Iterable | Mapping[str, Any] | None = None
    ) -> Any:
        """Every row of ``sql`` (a list of row lists for a list of statements)."""
        return self.run(sql=sql, parameters=parameters, handler=fetch_all_handler)

    def get_first(
        self, sql: str | list[str], parameters: Iterable | Mapping[str, Any] | None = None
    ) -> Any:
        """The first row of ``sql``, or None."""
        return self.run(sql=sql, parameters=parameters, handler=fetch_one_handler)

    # -- running ------------------------------------------------------------------------------
    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        if self.supports_autocommit:
            conn.autocommit = autocommit

    def get_autocommit(self, conn: Any) -> bool:
        return bool(getattr(conn, "autocommit", False)) and self.supports_autocommit

    @staticmethod
    def split_sql_string(sql: str) -> list[str]:
        return split_sql_string(sql)

    def run(
        self,
        sql: str | Iterable[str],
        autocommit: bool = False,
        parameters: Iterable | Mapping[str, Any] | None = None,
        handler: Callable[[Any], Any] | None = None,
        split_statements: bool = False,
        return_last: bool = True,
    ) -> Any:
        """Run one statement or a list of them in one connection; commits unless autocommit.

        With a ``handler`` returns its result: one result for a string (the last statement's),
        a list of results for a list of statements (Airflow's rule)."""
        if isinstance(sql, str):
            if split_statements:
                sql_list = self.split_sql_string(sql)
            else:
                sql_list = [sql] if sql.strip() else []
        else:
            sql_list = [s for s in sql if s and s.strip()]
        if not sql_list:
            raise ValueError("List of SQL statements is empty")
        results: list[Any] = []
        self.descriptions = []
        with closing(self.get_conn()) as conn:
            self.set_autocommit(conn, autocommit)
            with closing(conn.cursor()) as cur:
                for statement in sql_list:
                    self._run_command(cur, statement, parameters)
                    if handler is not None:
                        results.append(handler(cur))
                    self.descriptions.append(cur.description)
            if not self.get_autocommit(conn):
                conn.commit()
        if handler is None:
            return None
        if return_single_query_results(sql, return_last, split_statements):
            return results[-1]
        return results

    def _run_command(self, cur: Any, sql: str, parameters: Any) -> None:
        if self.log_sql:
            self.log.info("Running statement: %s, parameters: %s", sql, parameters)
        if parameters:
            cur.execute(sql, parameters)
        else:
            cur.execute(sql)
        if getattr(cur, "rowcount", -1) >= 0:
            self.log.info("Rows affected: %s", cur.rowcount)

    # -- writing ------------------------------------------------------------------------------
    def _generate_insert_sql(
        self, table: str, values: Sequence[Any], target_fields: Sequence[str] | None, **kw: Any
    ) -> str:
        placeholders = ", ".join([self.placeholder] * len(values))
        columns = f"({', '.join(target_fields)}) " if target_fields else ""
        verb = "REPLACE INTO" if kw.get("replace") else "INSERT INTO"
        return f"{verb} {table} {columns}VALUES ({placeholders})"

    def insert_rows(
        self,
        table: str,
        rows: Iterable[Sequence[Any]],
        target_fields: Sequence[str] | None = None,
        commit_every: int = 1000,
        replace: bool = False,
        **kwargs: Any,
    ) -> int:
        """Insert ``rows`` into ``table``, committing every ``commit_every`` rows (0: once).
        Returns the number of rows inserted."""
        count = 0
        with closing(self.get_conn()) as conn:
            if self.supports_autocommit:
                self.set_autocommit(conn, False)
            conn.commit()
            with closing(conn.cursor()) as cur:
                for count, row in enumerate(rows, start=1):
                    values = tuple(row)
                    sql = self._generate_insert_sql(
                        table, values, target_fields, replace=replace, **kwargs
                    )
                    cur.execute(sql, values)
                    if commit_every and count % commit_every == 0:
                        conn.commit()
                        self.log.info("Loaded %s rows into %s so far", count, table)
            conn.commit()
        self.log.info("Done loading. Loaded a total of %s rows into %s", count, table)
        return count
