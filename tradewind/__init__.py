"""Tradewind: Airflow's DAGs on named broker queues.

``from tradewind import DAG, task, ...``: every name here is imported on first use (PEP 562),
so that ``import tradewind`` and importing a DAG file stay cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "DAG": "tradewind.sdk.dag:DAG",
    "dag": "tradewind.sdk.dag:dag",
    "task": "tradewind.sdk.decorators:task",
    "setup": "tradewind.sdk.setup_teardown:setup",
    "teardown": "tradewind.sdk.setup_teardown:teardown",
    "TaskGroup": "tradewind.sdk.taskgroup:TaskGroup",
    "task_group": "tradewind.sdk.taskgroup:task_group",
    "Dataset": "tradewind.sdk.dataset:Dataset",
    "Asset": "tradewind.sdk.dataset:Asset",
    "DatasetAny": "tradewind.sdk.dataset:DatasetAny",
    "DatasetAll": "tradewind.sdk.dataset:DatasetAll",
    "AssetAny": "tradewind.sdk.dataset:AssetAny",
    "AssetAll": "tradewind.sdk.dataset:AssetAll",
    "Param": "tradewind.sdk.param:Param",
    "ParamsDict": "tradewind.sdk.param:ParamsDict",
    "Variable": "tradewind.sdk.variable:Variable",
    "Connection": "tradewind.sdk.connection:Connection",
    "chain": "tradewind.sdk.dependencies:chain",
    "chain_linear": "tradewind.sdk.dependencies:chain_linear",
    "cross_downstream": "tradewind.sdk.dependencies:cross_downstream",
    "BaseOperator": "tradewind.sdk.baseoperator:BaseOperator",
    "TriggerRule": "tradewind.sdk.trigger_rule:TriggerRule",
    "WeightRule": "tradewind.sdk.trigger_rule:WeightRule",
    "XComArg": "tradewind.sdk.xcom_arg:XComArg",
    "MappedOperator": "tradewind.sdk.mapping:MappedOperator",
    "PokeReturnValue": "tradewind.sensors.base:PokeReturnValue",
    "BaseSensorOperator": "tradewind.sensors.base:BaseSensorOperator",
    "BaseHook": "tradewind.hooks.base:BaseHook",
    "Label": "tradewind.utils.edgemodifier:Label",
    "EdgeModifier": "tradewind.utils.edgemodifier:EdgeModifier",
    "Context": "tradewind.utils.context:Context",
    "get_current_context": "tradewind.operators.python:get_current_context",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from tradewind.sdk.baseoperator import BaseOperator as BaseOperator
    from tradewind.sdk.dag import DAG as DAG
    from tradewind.sdk.dag import dag as dag
    from tradewind.sdk.dataset import Asset as Asset
    from tradewind.sdk.dataset import AssetAll as AssetAll
    from tradewind.sdk.dataset import AssetAny as AssetAny
    from tradewind.sdk.dataset import Dataset as Dataset
    from tradewind.sdk.dataset import DatasetAll as DatasetAll
    from tradewind.sdk.dataset import DatasetAny as DatasetAny
    from tradewind.sdk.decorators import task as task
    from tradewind.sdk.dependencies import (
        chain as chain,
    )
    from tradewind.sdk.dependencies import (
        chain_linear as chain_linear,
    )
    from tradewind.sdk.dependencies import (
        cross_downstream as cross_downstream,
    )
    from tradewind.sdk.mapping import MappedOperator as MappedOperator
    from tradewind.sdk.param import Param as Param
    from tradewind.sdk.param import ParamsDict as ParamsDict
    from tradewind.sdk.setup_teardown import setup as setup
    from tradewind.sdk.setup_teardown import teardown as teardown
    from tradewind.sdk.taskgroup import TaskGroup as TaskGroup
    from tradewind.sdk.taskgroup import task_group as task_group
    from tradewind.sdk.trigger_rule import TriggerRule as TriggerRule
    from tradewind.sdk.trigger_rule import WeightRule as WeightRule
    from tradewind.sdk.xcom_arg import XComArg as XComArg


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'tradewind' has no attribute {name!r}")
    module_name, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
