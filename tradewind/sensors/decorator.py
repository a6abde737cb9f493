"""``@task.sensor``: a TaskFlow function as a sensor's poke, as Airflow's ``sensor_task``.

The function returns a bool or a :class:`PokeReturnValue`; its ``xcom_value`` becomes the
task's result once done. Sensor arguments (``poke_interval``, ``timeout``, ``mode``...) go in
``@task.sensor(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from tradewind.sdk.decorated_operators import DecoratedOperator
from tradewind.sensors.python import PythonSensor


class DecoratedSensorOperator(DecoratedOperator, PythonSensor):
    """The operator behind ``@task.sensor``."""

    template_fields: ClassVar[Sequence[str]] = ("op_args", "op_kwargs")
    template_fields_renderers: ClassVar[dict[str, str]] = {"op_args": "py", "op_kwargs": "py"}
    custom_operator_name: ClassVar[str] = "@task.sensor"
    shallow_copy_attrs: ClassVar[Sequence[str]] = ("python_callable",)


def sensor_task(python_callable: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """``@task.sensor`` / ``@task.sensor(poke_interval=..., mode="reschedule", ...)``."""
    from tradewind.sdk.decorators import task_decorator_factory

    kwargs.pop("multiple_outputs", None)
    return task_decorator_factory(python_callable, False, DecoratedSensorOperator, **kwargs)
