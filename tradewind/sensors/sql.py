"""``SqlSensor``: poke with a SQL query, as
``airflow.providers.common.sql.sensors.sql.SqlSensor``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, ClassVar

from tradewind.errors import TaskFailure
from tradewind.sensors.base import BaseSensorOperator


class SqlSensor(BaseSensorOperator):
    """Run ``sql`` until it returns a first row whose selected cell (``selector``, the first
    cell by default) passes ``success`` (or is truthy). ``failure(cell)`` true fails the task;
    ``fail_on_empty`` fails it when no row comes back."""

    template_fields: ClassVar[Sequence[str]] = ("sql", "hook_params", "parameters")
    template_ext: ClassVar[Sequence[str]] = (".hql", ".sql")
    ui_color = "#7c7287"

    def __init__(
        self,
        *,
        conn_id: str,
        sql: str,
        parameters: Mapping[str, Any] | Sequence[Any] | None = None,
        success: Callable[[Any], bool] | None = None,
        failure: Callable[[Any], bool] | None = None,
        selector: Callable[[tuple[Any, ...]], Any] = itemgetter(0),
        fail_on_empty: bool = False,
        hook_params: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.conn_id = conn_id
        self.sql = sql
        self.parameters = parameters
        self.success = success
        self.failure = failure
        self.selector = selector
        self.fail_on_empty = fail_on_empty
        self.hook_params = dict(hook_params or {})

    def _get_hook(self) -> Any:
        from tradewind.operators.sql import get_sql_hook

        return get_sql_hook(self.conn_id, hook_params=self.hook_params)

    def poke(self, context: dict[str, Any]) -> bool:
        hook = self._get_hook()
        self.log.info("Poking: %s (with parameters %s)", self.sql, self.parameters)
        records = hook.get_records(self.sql, self.parameters)
        if not records:
            if self.fail_on_empty:
                raise TaskFailure("No rows returned, raising as per fail_on_empty flag")
            return False
        condition = self.selector(records[0])
        if self.failure is not None:
            if not callable(self.failure):
                raise TaskFailure(f"self.failure is present, but not callable -> {self.failure}")
            if self.failure(condition):
                raise TaskFailure(f"Failure criteria met. self.failure({condition}) returned True")
        if self.success is not None:
            if not callable(self.success):
                raise TaskFailure(f"self.success is present, but not callable -> {self.success}")
            return bool(self.success(condition))
        return bool(condition)
