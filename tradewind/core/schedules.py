"""Schedule arithmetic: data intervals as Airflow 2.x timetables compute them (pure).

- cron (``CronDataIntervalTimetable``): a run for ``[start, end)`` is created at ``end``; its
  logical date is ``start``. The expression is evaluated on the DAG time zone's wall clock, so
  ``0 6 * * *`` in Europe/Berlin runs at 06:00 local on both sides of a DST change.
- timedelta (``DeltaDataIntervalTimetable``): the delta is added in absolute (UTC) time, so
  across a DST change the local hour of the runs shifts.
- ``@once``: one run at ``start_date``; ``None``: no automatic runs; datasets: none by time.
- ``@continuous``: the next run as soon as the previous one is done (``[previous end, now]``).
- cron trigger (``CronTriggerTimetable``): a run at each fire time, whose logical date is the
  fire time; events (``EventsTimetable``): a run at each listed datetime.

Every datetime returned is timezone-aware UTC. Local times that do not exist (the hour skipped
when DST starts) resolve as pendulum resolves them for Airflow: shifted back by the gap. Unlike
Airflow, a cron tick that would resolve to the time just left is stepped over, so a run never
repeats.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tradewind.core.spec import DagSpec, ScheduleSpec
from tradewind.core.timetables import (
    CRON_PRESETS,
    DagRunInfo,
    DataInterval,
    check_cron,
    timetable_for,
    to_utc,
    zone_for,
)
from tradewind.errors import ScheduleError

__all__ = [
    "CRON_PRESETS",
    "DagRunInfo",
    "DataInterval",
    "dataset_data_interval",
    "infer_manual_data_interval",
    "intervals_between",
    "next_dagrun_info",
    "parse_schedule",
    "validate_schedule",
]


def parse_schedule(value: Any) -> ScheduleSpec:
    """The :class:`ScheduleSpec` for what a user passed as ``schedule``.

    ``None``, ``"@once"``, a preset, a cron string, a positive ``timedelta``, or a list of
    datasets (objects with a ``uri``, or URI strings). Anything else: ScheduleError.
    """
    if value is None:
        return ScheduleSpec()
    if isinstance(value, str):
        text = value.strip()
        if text == "@once":
            return ScheduleSpec(kind="once", description="@once")
        if text == "@continuous":
            return ScheduleSpec(kind="continuous", description="@continuous")
        expression = CRON_PRESETS.get(text, text)
        check_cron(expression, shown=text)
        return ScheduleSpec(kind="cron", expression=expression, description=text)
    if isinstance(value, timedelta):
        if value.total_seconds() <= 0:
            raise ScheduleError(
                f"schedule interval must be positive, not {value!r}",
                hint="use a positive timedelta, e.g. timedelta(hours=1)",
            )
        return ScheduleSpec(kind="delta", seconds=value.total_seconds(), description=str(value))
    if isinstance(value, list | tuple):
        uris = tuple(
            item if isinstance(item, str) else getattr(item, "uri", None) for item in value
        )
        if any(not isinstance(uri, str) for uri in uris):
            raise ScheduleError(
                "a schedule list must hold only Dataset objects",
                hint="write schedule=[Dataset('s3://bucket/key'), ...]",
            )
        return ScheduleSpec(kind="datasets", dataset_uris=uris, description=f"Dataset {list(uris)}")
    raise ScheduleError(
        f"cannot use {value!r} as a schedule",
        hint="use a cron string, a preset like '@daily', a timedelta, a list of Datasets or None",
    )


def validate_schedule(schedule: ScheduleSpec, tz: str | ZoneInfo = "UTC") -> None:
    """ScheduleError if the schedule or time zone cannot be used."""
    timetable_for(schedule, zone_for(tz))


def next_dagrun_info(
    schedule: ScheduleSpec | DagSpec,
    *,
    tz: str | ZoneInfo | None = None,
    start_date: datetime | str | None = None,
    end_date: datetime | str | None = None,
    catchup: bool | None = None,
    last_automated_interval: DataInterval | tuple[datetime, datetime] | None = None,
    now: datetime | None = None,
) -> DagRunInfo | None:
    """The next automated run after ``last_automated_interval``, or None if there is none.

    Given a DagSpec, ``tz``/``start_date``/``end_date``/``catchup`` default to the DAG's.
    With ``catchup=False`` the first candidate is the latest interval that has ended by ``now``.
    The run is due once ``now >= info.run_after``; runs whose logical date is after
    ``end_date`` are never made. A DAG without a start date gets no automated runs.
    """
    if isinstance(schedule, DagSpec):
        spec = schedule
        schedule = spec.schedule
        tz = tz if tz is not None else spec.timezone
        start_date = start_date if start_date is not None else spec.start_date
        end_date = end_date if end_date is not None else spec.end_date
        catchup = catchup if catchup is not None else spec.catchup
    zone = zone_for(tz)
    last = DataInterval(*last_automated_interval) if last_automated_interval else None
    return timetable_for(schedule, zone).next_info(
        last=last,
        earliest=to_utc(start_date, zone),
        latest=to_utc(end_date, zone),
        catchup=True if catchup is None else catchup,
        now=(now or datetime.now(UTC)).astimezone(UTC),
    )


def intervals_between(
    schedule: ScheduleSpec | DagSpec,
    tz: str | ZoneInfo | None,
    start: datetime | str,
    end: datetime | str,
    *,
    limit: int | None = None,
) -> list[DataInterval]:
    """The data intervals whose logical date (start) lies in ``[start, end]``, for a backfill.

    As Airflow's ``DAG.iter_dagrun_infos_between(start, end, align=True)``: the first interval
    starts at the first tick at or after ``start``. ``limit`` bounds the list.
    """
    if isinstance(schedule, DagSpec):
        tz = tz if tz is not None else schedule.timezone
        schedule = schedule.schedule
    zone = zone_for(tz)
    earliest, latest = to_utc(start, zone), to_utc(end, zone)
    timetable = timetable_for(schedule, zone)
    if schedule.kind == "continuous":
        raise ScheduleError(
            "a continuous schedule has no intervals to backfill",
            hint="trigger the DAG instead: `tradewind dags trigger DAG_ID`",
        )
    out: list[DataInterval] = []
    last: DataInterval | None = None
    while limit is None or len(out) < limit:
        info = timetable.next_info(
            last=last, earliest=earliest, latest=latest, catchup=True, now=datetime.now(UTC)
        )
        if info is None:
            break
        out.append(info.data_interval)
        last = info.data_interval
        if timetable.single_run:
            break  # @once
    return out


def infer_manual_data_interval(
    schedule: ScheduleSpec | DagSpec,
    logical_date: datetime,
    *,
    tz: str | ZoneInfo | None = None,
) -> DataInterval:
    """The data interval of a manual run at ``logical_date`` (Airflow's
    ``timetable.infer_manual_data_interval``): for cron, the last complete period ending at or
    before it; for a timedelta, ``[date - delta, date]``; otherwise ``[date, date]``."""
    if isinstance(schedule, DagSpec):
        tz = tz if tz is not None else schedule.timezone
        schedule = schedule.schedule
    zone = zone_for(tz)
    run_after = to_utc(logical_date, zone)
    assert run_after is not None
    return timetable_for(schedule, zone).manual_interval(run_after)


def dataset_data_interval(logical_date: datetime, event_times: Iterable[datetime]) -> DataInterval:
    """The data interval of a dataset-triggered run: from the first to the last event that
    triggered it (``[logical_date, logical_date]`` without events), as Airflow's
    ``DatasetTriggeredTimetable.data_interval_for_events``."""
    times = [t.astimezone(UTC) for t in event_times]
    if not times:
        return DataInterval.exact(logical_date.astimezone(UTC))
    return DataInterval(min(times), max(times))
