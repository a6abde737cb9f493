"""Airflow's ``airflow.utils.weekday``: ``WeekDay`` (ISO numbers, Monday = 1)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from tradewind.errors import DagDefinitionError


class WeekDay(IntEnum):
    """Days of the week, numbered as ``datetime.isoweekday()``."""

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7

    @classmethod
    def get_weekday_number(cls, week_day_str: str) -> int:
        name = week_day_str.upper()
        if name not in cls.__members__:
            raise DagDefinitionError(
                f"Invalid Week Day passed: {week_day_str!r}",
                hint="use a day name like 'Monday' or a WeekDay member",
            )
        return cls[name].value

    @classmethod
    def convert(cls, day: str | WeekDay) -> int:
        if isinstance(day, WeekDay):
            return day.value
        return cls.get_weekday_number(day)

    @classmethod
    def validate_week_day(cls, week_day: str | WeekDay | Iterable[str | WeekDay]) -> set[int]:
        """The ISO numbers of one day or an iterable of days."""
        if isinstance(week_day, str | WeekDay):
            return {cls.convert(week_day)}
        if isinstance(week_day, Iterable):
            return {cls.convert(day) for day in week_day}
        raise DagDefinitionError(
            f"Unsupported Type for week_day parameter: {type(week_day).__name__}",
            hint="pass a day name, a WeekDay, or a set/list of them",
        )


__all__ = ["WeekDay"]
