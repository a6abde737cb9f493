"""``SqliteOperator``: Airflow's (deprecated there) alias of ``SQLExecuteQueryOperator`` with
``sqlite_conn_id``, as ``airflow.providers.sqlite.operators.sqlite.SqliteOperator``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from tradewind.operators.sql import SQLExecuteQueryOperator


class SqliteOperator(SQLExecuteQueryOperator):
    """Run ``sql`` on a SQLite file: ``SqliteOperator(sqlite_conn_id="sqlite_default", sql=...)``
    (the connection's host is the file's path)."""

    template_fields: ClassVar[Sequence[str]] = ("sql", "parameters")
    template_fields_renderers: ClassVar[dict[str, str]] = {"sql": "sql"}
    ui_color = "#cdaaed"

    def __init__(self, *, sqlite_conn_id: str = "sqlite_default", **kwargs: Any) -> None:
        super().__init__(conn_id=sqlite_conn_id, **kwargs)
        self.sqlite_conn_id = sqlite_conn_id

    def get_db_hook(self) -> Any:
        """Always a SqliteHook, whatever the connection's type says."""
        from tradewind.hooks.sqlite import SqliteHook

        return SqliteHook(sqlite_conn_id=self.sqlite_conn_id)
