"""``airflow.timetables.simple``: the timetables behind ``None``, ``@once`` and ``@continuous``."""

from __future__ import annotations

from tradewind.core.spec import ScheduleSpec
from tradewind.timetables.base import Timetable, builtin

__all__ = ["ContinuousTimetable", "NullTimetable", "OnceTimetable"]


@builtin
class NullTimetable(Timetable):
    """No automated runs (``schedule=None``)."""

    description = "Never, external triggers only"
    can_be_scheduled = False
    periodic = False

    def _to_spec(self) -> ScheduleSpec:
        return ScheduleSpec(kind="none", description="None")


@builtin
class OnceTimetable(Timetable):
    """One run at the start date (``schedule="@once"``)."""

    description = "Once, as soon as possible"
    periodic = False

    def _to_spec(self) -> ScheduleSpec:
        return ScheduleSpec(kind="once", description="@once")


@builtin
class ContinuousTimetable(Timetable):
    """A new run as soon as the previous one is done (``schedule="@continuous"``)."""

    description = "As frequently as possible, but only one run at a time."
    active_runs_limit = 1
    periodic = False

    @property
    def summary(self) -> str:
        return "@continuous"

    def _to_spec(self) -> ScheduleSpec:
        return ScheduleSpec(kind="continuous", description="@continuous")
