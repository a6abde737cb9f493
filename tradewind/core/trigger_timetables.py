"""The timetables whose runs are points in time rather than data intervals: Airflow's
``CronTriggerTimetable`` and ``EventsTimetable``, and ``@continuous`` (pure, built by
``tradewind.core.timetables.timetable_for``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tradewind.core.timetables import DagRunInfo, DataInterval, _CronTimetable, _Timetable


class _CronTriggerTimetable(_Timetable):
    """Airflow's ``CronTriggerTimetable``: a run at each fire time, whose logical date is the
    fire time; its data interval is ``[fire - interval, fire]``."""

    def __init__(
        self, cron: _CronTimetable, interval: timedelta, run_immediately: bool | float
    ) -> None:
        self.cron = cron
        self.interval = interval
        self.run_immediately = run_immediately

    def _first_run(self, now: datetime) -> datetime:
        """Without a start date: the last fire time if it is recent enough, else the next."""
        past, upcoming = self.cron.align_to_prev(now), self.cron.align_to_next(now)
        if self.run_immediately is True:
            return past
        buffer = max((upcoming - past) / 10, timedelta(minutes=5))
        if not isinstance(self.run_immediately, bool):  # a number of seconds
            buffer = timedelta(seconds=self.run_immediately)
        return past if now - past <= buffer else upcoming

    def next_info(
        self,
        *,
        last: DataInterval | None,
        earliest: datetime | None,
        latest: datetime | None,
        catchup: bool,
        now: datetime,
    ) -> DagRunInfo | None:
        cron = self.cron
        if catchup:
            if last is not None:
                fire = cron.get_next(last.end.astimezone(UTC))
            elif earliest is None:
                fire = self._first_run(now)
            else:
                fire = cron.align_to_next(earliest)
        else:
            candidates = [cron.align_to_prev(now)]
            if last is not None:
                candidates.append(cron.get_next(last.end.astimezone(UTC)))
            elif earliest is None:
                candidates.append(self._first_run(now))
            if earliest is not None:
                candidates.append(cron.align_to_next(earliest))
            fire = max(candidates)
        if latest is not None and fire > latest:
            return None
        return DagRunInfo(fire, fire - self.interval, fire, fire)

    def manual_interval(self, run_after: datetime) -> DataInterval:
        return DataInterval(run_after - self.interval, run_after)


class _EventsTimetable(_Timetable):
    """Airflow's ``EventsTimetable``: one run at each of the given datetimes.

    Runs are created from the schedule afresh, so without catch-up the latest event that has
    passed still gets its run (Airflow would have stored it as the next run beforehand).
    """

    def __init__(self, events: list[datetime], restrict: bool) -> None:
        self.events = sorted(events)
        self.restrict = restrict

    def next_info(
        self,
        *,
        last: DataInterval | None,
        earliest: datetime | None,
        latest: datetime | None,
        catchup: bool,
        now: datetime,
    ) -> DagRunInfo | None:
        if not catchup:
            passed = [e for e in self.events if e <= now]
            floor = passed[-1] if passed else now
            earliest = floor if earliest is None else max(earliest, floor)
        for event in self.events:
            if earliest is not None and event < earliest:
                continue
            if last is not None and event <= last.end:
                continue
            break
        else:
            return None
        if latest is not None and event > latest:
            return None
        return DagRunInfo.exact(event)

    def manual_interval(self, run_after: datetime) -> DataInterval:
        if not self.restrict or not self.events:
            return DataInterval.exact(run_after)
        passed = [e for e in self.events if e <= run_after]
        return DataInterval.exact(passed[-1] if passed else self.events[0])


class _ContinuousTimetable(_Timetable):
    """``@continuous``: a new run as soon as possible (the scheduler holds it back while one is
    active). Its interval runs from the previous run's end (or start_date) to now."""

    def next_info(
        self,
        *,
        last: DataInterval | None,
        earliest: datetime | None,
        latest: datetime | None,
        now: datetime,
        **_: Any,
    ) -> DagRunInfo | None:
        if earliest is None:
            return None
        if last is None:
            start, end = earliest, max(earliest, now)
        elif last.end > now:  # the start date is in the future
            start, end = earliest, earliest + (last.end - last.start)
        else:
            start, end = last.end.astimezone(UTC), now
        if latest is not None and end > latest:
            return None
        return DagRunInfo.interval(start, end)

    def manual_interval(self, run_after: datetime) -> DataInterval:
        return DataInterval.exact(run_after)
