"""Airflow's ``airflow.utils.context``: ``Context``, for type hints such as
``def execute(self, context: Context)``. A task receives a mapping of Airflow's names."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

Context = MutableMapping[str, Any]


def get_current_context() -> MutableMapping[str, Any]:
    """The context of the running task (Airflow 2.8+ also exposes it here)."""
    from tradewind.runtime.context import get_current_context as _current

    return _current()


__all__ = ["Context", "get_current_context"]
