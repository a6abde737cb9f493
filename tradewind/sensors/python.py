"""``PythonSensor``: poke by calling a function, as ``airflow.sensors.python.PythonSensor``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from tradewind.sdk.python_callable import call_with_context
from tradewind.sensors.base import BaseSensorOperator, PokeReturnValue


class PythonSensor(BaseSensorOperator):
    """Done when ``python_callable(*op_args, **op_kwargs)`` returns a truthy value or a
    :class:`PokeReturnValue` with ``is_done`` (its ``xcom_value`` is the task's result)."""

    template_fields: ClassVar[Sequence[str]] = ("templates_dict", "op_args", "op_kwargs")

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: list[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        templates_dict: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.python_callable = python_callable
        self.op_args = list(op_args or [])
        self.op_kwargs = dict(op_kwargs or {})
        self.templates_dict = templates_dict

    def poke(self, context: dict[str, Any]) -> PokeReturnValue:
        self.log.info("Poking callable: %s", self.python_callable)
        value = call_with_context(
            self.python_callable, self.op_args, self.op_kwargs, context, self.templates_dict
        )
        if isinstance(value, PokeReturnValue):
            return value
        return PokeReturnValue(bool(value))
