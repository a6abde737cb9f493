"""``airflow.timetables.trigger``: CronTriggerTimetable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tradewind.core.spec import ScheduleSpec
from tradewind.errors import ScheduleError
from tradewind.timetables.base import Timetable, builtin, cron_expression, zone_name

__all__ = ["CronTriggerTimetable"]


@builtin
class CronTriggerTimetable(Timetable):
    """A run at each cron fire time; its logical date is the fire time and its data interval
    ``[fire - interval, fire]``."""

    def __init__(
        self,
        cron: str,
        *,
        timezone: Any,
        interval: timedelta = timedelta(0),
        run_immediately: bool | timedelta = False,
    ) -> None:
        self._expression = cron_expression(cron)
        self._cron = cron
        self._timezone = zone_name(timezone)
        if not isinstance(interval, timedelta) or interval < timedelta(0):
            raise ScheduleError(
                f"CronTriggerTimetable: interval must be a timedelta >= 0, not {interval!r}"
            )
        self._interval = interval
        if not isinstance(run_immediately, bool | timedelta):
            raise ScheduleError(
                "CronTriggerTimetable: run_immediately must be True, False or a timedelta, "
                f"not {run_immediately!r}"
            )
        self._run_immediately = run_immediately
        self.description = f"cron {cron} ({self._timezone})"

    @property
    def summary(self) -> str:
        return self._cron

    def _to_spec(self) -> ScheduleSpec:
        run_now = self._run_immediately
        return ScheduleSpec(
            kind="cron_trigger",
            expression=self._expression,
            seconds=self._interval.total_seconds(),
            timezone=self._timezone,
            run_immediately=run_now.total_seconds() if isinstance(run_now, timedelta) else run_now,
            description=self._cron,
        )
