"""``DateTimeSensor``: wait until a (templated) date and time, as
``airflow.sensors.date_time.DateTimeSensor``; ``DateTimeSensorAsync`` waits the same way in
reschedule mode."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from tradewind.errors import DagDefinitionError, TaskFailure
from tradewind.sensors.base import BaseSensorOperator
from tradewind.sensors.deferrable import RescheduleUntilTargetMixin
from tradewind.utils.timezone import default_zone


def _parse(value: str) -> datetime:
    """``value`` as an aware datetime; a naive one is in ``core.default_timezone``, as Airflow's
    ``timezone.parse`` reads it."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise TaskFailure(f"target_time {value!r} is not an ISO 8601 date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_zone())


class DateTimeSensor(BaseSensorOperator):
    """Done once now > ``target_time`` (a datetime, or a string such as
    ``"{{ data_interval_end + macros.timedelta(hours=1) }}"``; naive means in the configured
    ``core.default_timezone``, UTC by default)."""

    template_fields: ClassVar[Sequence[str]] = ("target_time",)

    def __init__(self, *, target_time: str | datetime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(target_time, datetime):
            self.target_time = target_time.isoformat()
        elif isinstance(target_time, str):
            self.target_time = target_time
        else:
            raise DagDefinitionError(
                f"Sensor {self.task_id!r}: Expected str or datetime.datetime type for "
                f"target_time. Got {type(target_time)}"
            )

    def poke(self, context: dict[str, Any]) -> bool:
        self.log.info("Checking if the time (%s) has come", self.target_time)
        return datetime.now(UTC) > _parse(str(self.target_time))


class DateTimeSensorAsync(RescheduleUntilTargetMixin, DateTimeSensor):
    """Airflow's deferrable ``DateTimeSensor``: frees its worker slot between pokes and pokes
    again at ``target_time`` at the latest."""

    def wake_at(self, context: dict[str, Any]) -> datetime:
        return _parse(str(self.target_time))
