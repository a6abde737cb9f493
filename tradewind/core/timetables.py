"""Timetables: how cron, timedelta, @once, @continuous, cron-trigger, event and manual-only
schedules turn into data intervals (pure). ``tradewind.core.schedules`` is the public face;
this module holds the interval arithmetic, ``tradewind.core.trigger_timetables`` the schedules
whose runs are points in time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

from tradewind.core.spec import ScheduleSpec
from tradewind.errors import ScheduleError

#: Airflow's cron presets (``airflow.utils.dates.cron_presets``).
CRON_PRESETS: dict[str, str] = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}


class DataInterval(NamedTuple):
    start: datetime
    end: datetime

    @classmethod
    def exact(cls, at: datetime) -> DataInterval:
        return cls(at, at)


@dataclass(frozen=True)
class DagRunInfo:
    """The next automated run: create it once ``now >= run_after``."""

    logical_date: datetime
    data_interval_start: datetime
    data_interval_end: datetime
    run_after: datetime

    @property
    def data_interval(self) -> DataInterval:
        return DataInterval(self.data_interval_start, self.data_interval_end)

    @classmethod
    def interval(cls, start: datetime, end: datetime) -> DagRunInfo:
        return cls(start, start, end, end)

    @classmethod
    def exact(cls, at: datetime) -> DagRunInfo:
        return cls(at, at, at, at)


# -- building and validating ------------------------------------------------------------


def check_cron(expression: str, *, shown: str | None = None) -> None:
    try:
        cron = croniter(expression, start_time=datetime(2000, 1, 1))
    except (CroniterError, ValueError, KeyError, TypeError) as exc:
        raise ScheduleError(
            f"invalid cron expression {shown or expression!r}: {exc}",
            hint="use five fields (minute hour day month weekday), e.g. '0 6 * * *', "
            "or a preset: " + ", ".join(["@once", *CRON_PRESETS]),
        ) from None
    try:  # valid fields may name a day that never comes (February 31)
        cron.get_next(datetime)
    except CroniterError:
        raise ScheduleError(
            f"cron expression {shown or expression!r} never fires: no date matches it",
            hint="check the day of month against the month (e.g. '0 0 31 2 *' is February 31)",
        ) from None


def zone_for(tz: str | ZoneInfo | None) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"unknown time zone {tz!r}", hint="use an IANA name such as 'Europe/Berlin'"
        ) from None


def to_utc(value: datetime | str | None, zone: ZoneInfo) -> datetime | None:
    """A UTC datetime; naive values are wall-clock times in ``zone``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = make_aware(value, zone)
    return utc(value)


def utc(value: datetime) -> datetime:
    """``value`` in UTC as a plain ``datetime``: a pendulum ``DateTime`` (a task's context dates)
    in UTC loses its time zone when a ``timedelta`` is added to it (pendulum 3)."""
    moment = value.astimezone(UTC)
    if type(moment) is datetime:
        return moment
    return datetime(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        tzinfo=UTC,
    )


def make_aware(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone``, resolved as Airflow resolves one (pendulum, ``fold=1``):
    a time that a clock change skips moves forward by the gap (02:30 -> 03:30 the spring-forward
    night), an ambiguous one is its second occurrence (the fall-back night)."""
    first = naive.replace(fold=0, tzinfo=zone)
    second = naive.replace(fold=1, tzinfo=zone)
    before, after = first.utcoffset(), second.utcoffset()
    in_gap = before is not None and after is not None and after > before
    return (first if in_gap else second).astimezone(UTC).astimezone(zone)


# -- timetables -------------------------------------------------------------------------


class _Timetable:
    """The interval arithmetic of one schedule kind (Airflow's ``_DataIntervalTimetable``)."""

    #: makes at most one automated run (``@once``): a backfill stops after it
    single_run = False

    def get_next(self, current: datetime) -> datetime:
        raise NotImplementedError

    def get_prev(self, current: datetime) -> datetime:
        raise NotImplementedError

    def align_to_next(self, current: datetime) -> datetime:
        return current

    def align_to_prev(self, current: datetime) -> datetime:
        return current

    def skip_to_latest(self, earliest: datetime | None, now: datetime) -> datetime:
        raise NotImplementedError

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
            earliest = self.skip_to_latest(earliest, now)
        elif earliest is not None:
            earliest = self.align_to_next(earliest)
        if last is None:
            if earliest is None:
                return None
            start = earliest
        else:
            start = self.align_to_prev(utc(last.end))
            if earliest is not None:
                start = max(start, earliest)
        if latest is not None and start > latest:
            return None
        return DagRunInfo.interval(start, self.get_next(start))

    def manual_interval(self, run_after: datetime) -> DataInterval:
        raise NotImplementedError


class _CronTimetable(_Timetable):
    def __init__(self, expression: str, zone: ZoneInfo) -> None:
        check_cron(expression)
        self.expression = expression
        self.zone = zone
        # Airflow's "fold hour" fix: schedules that fire every hour step in absolute time.
        self.every_hour = croniter(expression).expanded[1] == ["*"]

    def _step(self, current: datetime, forward: bool) -> datetime:
        local = current.astimezone(self.zone)
        naive = local.replace(tzinfo=None)
        cron = croniter(self.expression, start_time=naive)
        while True:
            scheduled: datetime = cron.get_next(datetime) if forward else cron.get_prev(datetime)
            if self.every_hour:
                result = utc(current) + (scheduled - naive)
            else:
                result = make_aware(scheduled, self.zone).astimezone(UTC)
            if (result > current) if forward else (result < current):
                return result

    def get_next(self, current: datetime) -> datetime:
        return self._step(current, forward=True)

    def get_prev(self, current: datetime) -> datetime:
        return self._step(current, forward=False)

    def align_to_next(self, current: datetime) -> datetime:
        next_time = self.get_next(current)
        return next_time if self.get_prev(next_time) != current else current

    def align_to_prev(self, current: datetime) -> datetime:
        prev_time = self.get_prev(current)
        return prev_time if self.get_next(prev_time) != current else current

    def skip_to_latest(self, earliest: datetime | None, now: datetime) -> datetime:
        # Airflow 2: the latest *complete* interval, i.e. the one that ended at or before now.
        last_start = self.get_prev(now)
        next_start = self.get_next(last_start)
        new_start = last_start if next_start == now else self.get_prev(last_start)
        if earliest is None:
            return new_start
        return max(new_start, self.align_to_next(earliest))

    def manual_interval(self, run_after: datetime) -> DataInterval:
        # The last complete period before run_after: a daily DAG triggered at 01:00 on the 25th
        # covers 00:00 on the 24th to 00:00 on the 25th.
        end = self.align_to_prev(run_after)
        return DataInterval(self.get_prev(end), end)


class _DeltaTimetable(_Timetable):
    def __init__(self, seconds: float) -> None:
        if not seconds or seconds <= 0:
            raise ScheduleError(
                f"schedule interval must be positive, not {seconds!r} seconds",
                hint="use a positive timedelta",
            )
        self.delta = timedelta(seconds=seconds)

    def get_next(self, current: datetime) -> datetime:
        return utc(current) + self.delta

    def get_prev(self, current: datetime) -> datetime:
        return utc(current) - self.delta

    def _round(self, dt: datetime) -> datetime:
        seconds = self.delta.total_seconds()
        stamp = dt.timestamp()
        return datetime.fromtimestamp(stamp - math.fmod(stamp, seconds), tz=UTC)

    def skip_to_latest(self, earliest: datetime | None, now: datetime) -> datetime:
        next_start = self.get_prev(self._round(now))
        return next_start if earliest is None else max(next_start, earliest)

    def manual_interval(self, run_after: datetime) -> DataInterval:
        return DataInterval(self.get_prev(run_after), run_after)


class _OnceTimetable(_Timetable):
    single_run = True

    def next_info(
        self,
        *,
        last: DataInterval | None,
        earliest: datetime | None,
        latest: datetime | None,
        **_: Any,
    ) -> DagRunInfo | None:
        if last is not None or earliest is None or (latest is not None and earliest > latest):
            return None
        return DagRunInfo.exact(earliest)

    def manual_interval(self, run_after: datetime) -> DataInterval:
        return DataInterval.exact(run_after)


class _NoTimetable(_Timetable):
    """``None`` and dataset schedules: no runs by time; a manual run covers just its date."""

    def next_info(self, **_: Any) -> DagRunInfo | None:
        return None

    def manual_interval(self, run_after: datetime) -> DataInterval:
        return DataInterval.exact(run_after)


def timetable_for(schedule: ScheduleSpec, zone: ZoneInfo) -> _Timetable:
    from tradewind.core.trigger_timetables import (
        _ContinuousTimetable,
        _CronTriggerTimetable,
        _EventsTimetable,
    )

    kind = schedule.kind
    if schedule.timezone:
        zone = zone_for(schedule.timezone)
    if kind in ("cron", "cron_trigger"):
        if not schedule.expression:
            raise ScheduleError("a cron schedule without an expression")
        cron = _CronTimetable(CRON_PRESETS.get(schedule.expression, schedule.expression), zone)
        if kind == "cron":
            return cron
        interval = timedelta(seconds=schedule.seconds or 0)
        return _CronTriggerTimetable(cron, interval, schedule.run_immediately)
    if kind == "delta":
        return _DeltaTimetable(schedule.seconds or 0)
    if kind == "once":
        return _OnceTimetable()
    if kind == "continuous":
        return _ContinuousTimetable()
    if kind == "events":
        events = [to_utc(e, zone) for e in schedule.events]
        return _EventsTimetable([e for e in events if e is not None], schedule.restrict_to_events)
    if kind in ("none", "datasets"):
        return _NoTimetable()
    raise ScheduleError(f"unknown schedule kind {kind!r}")
