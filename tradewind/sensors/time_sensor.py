"""``TimeSensor``: wait until a time of day in the DAG's time zone, as
``airflow.sensors.time_sensor.TimeSensor``; ``TimeSensorAsync`` waits the same way in
reschedule mode."""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo
from typing import Any

from tradewind.errors import DagDefinitionError
from tradewind.sensors.base import BaseSensorOperator
from tradewind.sensors.deferrable import RescheduleUntilTargetMixin


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

    def _timezone(self) -> tzinfo:
        return getattr(self.dag, "timezone", None) or UTC

    def poke(self, context: dict[str, Any]) -> bool:
        now = datetime.now(UTC).astimezone(self._timezone()).time()
        self.log.info("Checking if the time (%s) has come", self.target_time)
        return now > self.target_time


class TimeSensorAsync(RescheduleUntilTargetMixin, TimeSensor):
    """Airflow's deferrable ``TimeSensor``: frees its worker slot between pokes and pokes again
    at ``target_time`` today (in the DAG's time zone) at the latest."""

    def wake_at(self, context: dict[str, Any]) -> datetime:
        tz = self._timezone()
        today = datetime.now(UTC).astimezone(tz).date()
        return datetime.combine(today, self.target_time, tzinfo=tz)
