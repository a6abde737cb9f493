"""``DayOfWeekSensor``: wait for a day of the week, as ``airflow.sensors.weekday``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tradewind.sensors.base import BaseSensorOperator
from tradewind.utils.weekday import WeekDay

__all__ = ["DayOfWeekSensor"]


class DayOfWeekSensor(BaseSensorOperator):
    """Done when today (in UTC) is one of ``week_day``: a day name (``"Monday"``, any case), a
    :class:`WeekDay`, or an iterable of them.

    With ``use_task_logical_date`` the run's logical date is checked instead of today
    (``use_task_execution_day`` is Airflow's older name for it).
    """

    def __init__(
        self,
        *,
        week_day: str | WeekDay | Iterable[str | WeekDay],
        use_task_logical_date: bool = False,
        use_task_execution_day: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.week_day = week_day
        self.use_task_logical_date = use_task_logical_date or use_task_execution_day
        self._week_day_num = WeekDay.validate_week_day(week_day)

    def poke(self, context: dict[str, Any]) -> bool:
        today = datetime.now(UTC)
        self.log.info(
            "Poking until weekday is in %s, Today is %s",
            self.week_day,
            WeekDay(today.isoweekday()).name,
        )
        day = context["logical_date"] if self.use_task_logical_date else today
        return day.isoweekday() in self._week_day_num
