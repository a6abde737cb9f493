"""``PostgresOperator``: Airflow's (deprecated there) alias of ``SQLExecuteQueryOperator`` with
``postgres_conn_id``, as ``airflow.providers.postgres.operators.postgres.PostgresOperator``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from tradewind.operators.sql import SQLExecuteQueryOperator


class PostgresOperator(SQLExecuteQueryOperator):
    """Run ``sql`` on Postgres: ``PostgresOperator(postgres_conn_id="postgres", sql=...)``.

    ``runtime_parameters`` (e.g. ``{"statement_timeout": "3000ms"}``) are set for the session.
    """

    template_fields: ClassVar[Sequence[str]] = ("sql", "parameters", "hook_params")
    template_fields_renderers: ClassVar[dict[str, str]] = {"sql": "postgresql"}
    ui_color = "#ededed"

    def __init__(
        self,
        *,
        postgres_conn_id: str = "postgres_default",
        database: str | None = None,
        runtime_parameters: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        hook_params = dict(kwargs.pop("hook_params", None) or {})
        if runtime_parameters:
            options = " ".join(f"-c {k}={v}" for k, v in runtime_parameters.items())
            hook_params["options"] = options
        super().__init__(
            conn_id=postgres_conn_id, database=database, hook_params=hook_params, **kwargs
        )
        self.postgres_conn_id = postgres_conn_id
        self.runtime_parameters = runtime_parameters

    def get_db_hook(self) -> Any:
        """Always a PostgresHook, whatever the connection's type says."""
        from tradewind.hooks.postgres import PostgresHook

        params = dict(self.hook_params)
        if self.database:
            params.setdefault("schema", self.database)
        return PostgresHook(postgres_conn_id=self.postgres_conn_id, **params)
