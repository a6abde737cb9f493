"""``TimeDeltaSensor``: wait until ``delta`` after the run's data interval ends, as
``airflow.sensors.time_delta.TimeDeltaSensor``; ``TimeDeltaSensorAsync`` waits the same way in
reschedule mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tradewind.sensors.base import BaseSensorOperator
from tradewind.sensors.deferrable import RescheduleUntilTargetMixin


class TimeDeltaSensor(BaseSensorOperator):
    """Done once now > ``data_interval_end + delta`` (the logical date for a run without one)."""

    def __init__(self, *, delta: timedelta, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.delta = delta

    def target_time(self, context: dict[str, Any]) -> datetime:
        base = context.get("data_interval_end") or context.get("logical_date")
        if base is None:
            raise ValueError("TimeDeltaSensor needs data_interval_end or logical_date in context")
        if base.tzinfo is None:
            base = base.replace(tzinfo=UTC)
        return base + self.delta

    def poke(self, context: dict[str, Any]) -> bool:
        target = self.target_time(context)
        self.log.info("Checking if the time (%s) has come", target)
        return datetime.now(UTC) > target


class TimeDeltaSensorAsync(RescheduleUntilTargetMixin, TimeDeltaSensor):
    """Airflow's deferrable ``TimeDeltaSensor``: frees its worker slot between pokes and pokes
    again at the target time at the latest."""

    def wake_at(self, context: dict[str, Any]) -> datetime:
        return self.target_time(context)
