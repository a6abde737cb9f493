"""Sensors: tasks that wait for a condition, as Airflow's sensors (core and providers').

Resolved lazily (PEP 562) so that importing a DAG file stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "BaseSensorOperator": "tradewind.sensors.base",
    "PokeReturnValue": "tradewind.sensors.base",
    "FileSensor": "tradewind.sensors.filesystem",
    "HttpSensor": "tradewind.sensors.http",
    "SqlSensor": "tradewind.sensors.sql",
    "PythonSensor": "tradewind.sensors.python",
    "ExternalTaskSensor": "tradewind.sensors.external_task",
    "ExternalTaskMarker": "tradewind.sensors.external_task",
    "TimeDeltaSensor": "tradewind.sensors.time_delta",
    "TimeDeltaSensorAsync": "tradewind.sensors.time_delta",
    "DateTimeSensor": "tradewind.sensors.date_time",
    "DateTimeSensorAsync": "tradewind.sensors.date_time",
    "TimeSensor": "tradewind.sensors.time_sensor",
    "TimeSensorAsync": "tradewind.sensors.time_sensor",
    "BashSensor": "tradewind.sensors.bash",
    "DayOfWeekSensor": "tradewind.sensors.weekday",
    "DecoratedSensorOperator": "tradewind.sensors.decorator",
    "sensor_task": "tradewind.sensors.decorator",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tradewind.sensors' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
