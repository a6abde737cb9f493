"""Hooks: clients of external systems built from a connection id, as Airflow's providers' hooks.

Resolved lazily (PEP 562) so that importing a DAG file does not import database drivers.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "BaseHook": "tradewind.hooks.base",
    "DbApiHook": "tradewind.hooks.dbapi",
    "fetch_all_handler": "tradewind.hooks.dbapi",
    "fetch_one_handler": "tradewind.hooks.dbapi",
    "PostgresHook": "tradewind.hooks.postgres",
    "SqliteHook": "tradewind.hooks.sqlite",
    "HttpHook": "tradewind.hooks.http",
    "HttpResponseError": "tradewind.hooks.http",
    "FSHook": "tradewind.hooks.filesystem",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tradewind.hooks' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
