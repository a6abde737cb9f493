"""Airflow's ``airflow.models`` names: ``from tradewind.models import DAG, Variable``.

The submodules mirror Airflow's (``tradewind.models.param``, ``tradewind.models.baseoperator``
...), so both ``from airflow.models import Param`` and ``from airflow.models.param import Param``
port by rewriting ``airflow`` to ``tradewind``. Names resolve on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    "DAG": "tradewind.sdk.dag",
    "BaseOperator": "tradewind.sdk.baseoperator",
    "MappedOperator": "tradewind.sdk.mapping",
    "Param": "tradewind.sdk.param",
    "ParamsDict": "tradewind.sdk.param",
    "XComArg": "tradewind.sdk.xcom_arg",
    "Variable": "tradewind.sdk.variable",
    "Connection": "tradewind.sdk.connection",
    "Dataset": "tradewind.sdk.dataset",
    "Asset": "tradewind.sdk.dataset",
    "TaskInstance": "tradewind.models.taskinstance",
    "DagRun": "tradewind.models.dagrun",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'tradewind.models' has no attribute {name!r}")
    return getattr(importlib.import_module(module_name), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
