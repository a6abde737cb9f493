"""``TimeSensor``: wait until a time of day in the DAG's time zone, as
``airflow.sensors.time_sensor.TimeSensor``."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from tradewind.errors import DagDefinitionError
from tradewind.sensors.base import BaseSensorOperator


class TimeSensor(BaseSensorOperator):
    """Done once the time of day (in the DAG's time zone, UTC without a DAG) is past
    ``target_time``."""

    def __init__(self, *, target_time: time, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(target_time, time):
            raise DagDefinitionError(
                f"Sensor {self.task_id!r}: target_time must be a datetime.time, "
                f"got {type(target_time).__name__}"
            )
        self.target_time = target_time

    def poke(self, context: dict[str, Any]) -> bool:
        tz = getattr(self.dag, "timezone", None) or UTC
        now = datetime.now(UTC).astimezone(tz).time()
        self.log.info("Checking if the time (%s) has come", self.target_time)
        return now > self.target_time
