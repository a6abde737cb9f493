"""Building the executor that ``TRADEWIND__SCHEDULER__EXECUTOR`` names."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from tradewind.errors import ConfigError

if TYPE_CHECKING:
    from scheduler.executors.base import Executor
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

#: name -> "module:class"; each class is built as ``cls(settings, metastore)``.
EXECUTORS: dict[str, str] = {
    "sequential": "scheduler.executors.sequential:SequentialExecutor",
    "local": "scheduler.executors.local:LocalExecutor",
    "broker": "scheduler.executors.broker:BrokerExecutor",
}


def build_executor(settings: Settings, metastore: Metastore, name: str | None = None) -> Executor:
    """The executor called ``name`` (default: the configured one), not started yet."""
    name = (name or settings.scheduler.executor).strip().lower()
    target = EXECUTORS.get(name)
    if target is None:
        raise ConfigError(
            f"unknown executor {name!r}",
            hint="set TRADEWIND__SCHEDULER__EXECUTOR to one of: " + ", ".join(EXECUTORS),
        )
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise ConfigError(f"the {name} executor is not installed in this build") from None
        raise
    return getattr(module, class_name)(settings, metastore)
