"""``airflow.timetables.events``: EventsTimetable."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tradewind.core.spec import ScheduleSpec
from tradewind.errors import ScheduleError
from tradewind.timetables.base import Timetable, builtin

__all__ = ["EventsTimetable"]


@builtin
class EventsTimetable(Timetable):
    """A run at each of ``event_dates`` (logical date = data interval = the event).

    With ``restrict_to_events``, a manual run takes the latest event at or before its date
    (the first event if all are later).
    """

    def __init__(
        self,
        event_dates: Iterable[datetime],
        restrict_to_events: bool = False,
        presorted: bool = False,
        description: str | None = None,
    ) -> None:
        dates = list(event_dates)
        if any(not isinstance(d, datetime) for d in dates):
            raise ScheduleError("EventsTimetable: event_dates must be datetimes")
        self.event_dates = dates if presorted else sorted(dates)
        self.restrict_to_events = restrict_to_events
        if description is None:
            if self.event_dates:
                description = (
                    f"{len(self.event_dates)} events between {self.event_dates[0]} "
                    f"and {self.event_dates[-1]}"
                )
            else:
                description = "No events"
        self.description = description
        self.periodic = False

    @property
    def summary(self) -> str:
        return f"{len(self.event_dates)} events"

    def _to_spec(self) -> ScheduleSpec:
        return ScheduleSpec(
            kind="events",
            events=tuple(d.isoformat() for d in self.event_dates),
            restrict_to_events=bool(self.restrict_to_events),
            description=self.description,
        )
