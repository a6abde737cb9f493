"""``airflow.timetables.interval``: the data-interval timetables behind cron and timedelta
schedules (``schedule="0 0 * * *"``, ``schedule=timedelta(...)``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tradewind.core.spec import ScheduleSpec
from tradewind.errors import ScheduleError
from tradewind.timetables.base import Timetable, builtin, cron_expression, zone_name

__all__ = ["CronDataIntervalTimetable", "DeltaDataIntervalTimetable"]


@builtin
class CronDataIntervalTimetable(Timetable):
    """A run per cron interval ``[tick, next tick)``, created at its end; as a cron string."""

    def __init__(self, cron: str, timezone: Any) -> None:
        self._expression = cron_expression(cron)
        self._cron = cron
        self._timezone = zone_name(timezone)
        self.description = f"cron {cron} ({self._timezone})"

    @property
    def summary(self) -> str:
        return self._cron

    def _to_spec(self) -> ScheduleSpec:
        return ScheduleSpec(
            kind="cron",
            expression=self._expression,
            timezone=self._timezone,
            description=self._cron,
        )


@builtin
class DeltaDataIntervalTimetable(Timetable):
    """A run per ``delta``, in absolute time; as ``schedule=timedelta(...)``."""

    def __init__(self, delta: timedelta) -> None:
        if not isinstance(delta, timedelta) or delta <= timedelta(0):
            raise ScheduleError(
                f"DeltaDataIntervalTimetable: the delta must be a positive timedelta, not "
                f"{delta!r}",
                hint="relativedelta schedules are not supported",
            )
        self._delta = delta
        self.description = f"every {delta}"

    @property
    def summary(self) -> str:
        return str(self._delta)

    def _to_spec(self) -> ScheduleSpec:
        return ScheduleSpec(
            kind="delta", seconds=self._delta.total_seconds(), description=str(self._delta)
        )
