"""Every operator, imported on first use: ``from tradewind.operators import BashOperator``."""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    "BaseOperator": "tradewind.sdk.baseoperator",
    "EmptyOperator": "tradewind.operators.empty",
    "DummyOperator": "tradewind.operators.dummy",
    "BashOperator": "tradewind.operators.bash",
    "PythonOperator": "tradewind.operators.python",
    "BranchPythonOperator": "tradewind.operators.python",
    "ShortCircuitOperator": "tradewind.operators.python",
    "PythonVirtualenvOperator": "tradewind.operators.python_virtualenv",
    "ExternalPythonOperator": "tradewind.operators.python_virtualenv",
    "get_current_context": "tradewind.operators.python",
    "BaseBranchOperator": "tradewind.operators.branch",
    "BranchDateTimeOperator": "tradewind.operators.datetime",
    "BranchDayOfWeekOperator": "tradewind.operators.weekday",
    "SQLExecuteQueryOperator": "tradewind.operators.sql",
    "SqliteOperator": "tradewind.operators.sqlite",
    "PostgresOperator": "tradewind.operators.postgres",
    "HttpOperator": "tradewind.operators.http",
    "SimpleHttpOperator": "tradewind.operators.http",
    "TriggerDagRunOperator": "tradewind.operators.trigger_dagrun",
    "EmailOperator": "tradewind.operators.email",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'tradewind.operators' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
