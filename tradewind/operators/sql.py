"""``SQLExecuteQueryOperator``: run SQL on the database a connection names, as
``airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator``.

The hook is chosen from the connection's ``conn_type`` (postgres, sqlite). ``sql`` is templated;
a string ending in ``.sql`` is read as a template file from the DAG's folder (or its
``template_searchpath``). Query results go to XCom as lists of rows (lists, JSON-able).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from tradewind.errors import TradewindError
from tradewind.hooks.dbapi import DbApiHook, fetch_all_handler, return_single_query_results
from tradewind.sdk.baseoperator import BaseOperator

#: conn_type -> (module, hook class) of the SQL hooks Tradewind ships
SQL_HOOKS: dict[str, tuple[str, str]] = {
    "postgres": ("tradewind.hooks.postgres", "PostgresHook"),
    "postgresql": ("tradewind.hooks.postgres", "PostgresHook"),
    "sqlite": ("tradewind.hooks.sqlite", "SqliteHook"),
}


def _jsonable_rows(value: Any) -> Any:
    """Rows (tuples, Row objects) become lists, as Airflow's JSON XCom stores them."""
    if isinstance(value, dict):
        return {k: _jsonable_rows(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable_rows(v) for v in value]
    return value


def get_sql_hook(
    conn_id: str, *, database: str | None = None, hook_params: dict[str, Any] | None = None
) -> DbApiHook:
    """The SQL hook for the type of connection ``conn_id`` (``database`` overrides its schema)."""
    import importlib

    conn = DbApiHook.get_connection(conn_id)
    target = SQL_HOOKS.get((conn.conn_type or "").lower())
    if target is None:
        raise TradewindError(
            f"connection {conn_id!r} has type {conn.conn_type!r}, which has no SQL hook",
            hint=f"use one of: {', '.join(sorted(set(SQL_HOOKS) - {'postgresql'}))}",
        )
    module, name = target
    hook_cls = getattr(importlib.import_module(module), name)
    params = dict(hook_params or {})
    if database:
        params.setdefault("schema", database)
    return hook_cls(**{hook_cls.conn_name_attr: conn_id}, **params)


class BaseSQLOperator(BaseOperator):
    """Finds the SQL hook of ``conn_id`` (``database`` overrides the connection's schema)."""

    conn_id_field = "conn_id"

    def __init__(
        self,
        *,
        conn_id: str | None = None,
        database: str | None = None,
        hook_params: dict[str, Any] | None = None,
        retry_on_failure: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.conn_id = conn_id
        self.database = database
        self.hook_params = dict(hook_params or {})
        self.retry_on_failure = retry_on_failure

    def get_db_hook(self) -> DbApiHook:
        """The hook for the connection's type, built with ``hook_params``."""
        if not self.conn_id:
            raise TradewindError(f"task {self.task_id}: conn_id is required")
        return get_sql_hook(self.conn_id, database=self.database, hook_params=self.hook_params)


class SQLExecuteQueryOperator(BaseSQLOperator):
    """Run ``sql`` (a statement, a list of them, or a ``.sql`` file) and push the results."""

    template_fields: ClassVar[Sequence[str]] = ("conn_id", "sql", "parameters", "hook_params")
    template_ext: ClassVar[Sequence[str]] = (".sql", ".json")
    template_fields_renderers: ClassVar[dict[str, str]] = {"sql": "sql", "parameters": "json"}
    ui_color = "#cdaaed"

    def __init__(
        self,
        *,
        sql: str | list[str],
        autocommit: bool = False,
        parameters: Mapping[str, Any] | Iterable[Any] | None = None,
        handler: Callable[[Any], Any] = fetch_all_handler,
        output_processor: Callable[[list[Any], list[Any]], Any] | None = None,
        conn_id: str | None = None,
        database: str | None = None,
        split_statements: bool | None = None,
        return_last: bool = True,
        show_return_value_in_logs: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(conn_id=conn_id, database=database, **kwargs)
        self.sql = sql
        self.autocommit = autocommit
        self.parameters = parameters
        self.handler = handler
        self.output_processor = output_processor
        self.split_statements = split_statements
        self.return_last = return_last
        self.show_return_value_in_logs = show_return_value_in_logs

    def _process_output(self, results: list[Any], descriptions: list[Any]) -> list[Any]:
        if self.output_processor is not None:
            return self.output_processor(results, descriptions)
        return results

    def execute(self, context: dict[str, Any]) -> Any:
        self.log.info("Executing: %s", self.sql)
        hook = self.get_db_hook()
        extra: dict[str, Any] = {}
        if self.split_statements is not None:
            extra["split_statements"] = self.split_statements
        output = hook.run(
            sql=self.sql,
            autocommit=self.autocommit,
            parameters=self.parameters,
            handler=self.handler if self.do_xcom_push else None,
            return_last=self.return_last,
            **extra,
        )
        if not self.do_xcom_push:
            return None
        if return_single_query_results(self.sql, self.return_last, bool(self.split_statements)):
            result = self._process_output([output], hook.descriptions)[-1]
        else:
            result = self._process_output(output, hook.descriptions)
        result = _jsonable_rows(result)
        if self.show_return_value_in_logs:
            self.log.info("Operator output is: %s", result)
        return result
