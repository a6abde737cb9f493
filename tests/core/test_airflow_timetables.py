"""Airflow's built-in timetables: their ScheduleSpec, and the runs the scheduler's arithmetic
(``tradewind.core.schedules``) computes from it after a round trip through JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tradewind import DAG
from tradewind.core.schedules import (
    DagRunInfo,
    DataInterval,
    infer_manual_data_interval,
    intervals_between,
    next_dagrun_info,
)
from tradewind.core.spec import DagSpec
from tradewind.errors import DagDefinitionError, ScheduleError
from tradewind.parsing.serialize import serialize_dag
from tradewind.timetables.base import Timetable
from tradewind.timetables.events import EventsTimetable
from tradewind.timetables.interval import CronDataIntervalTimetable, DeltaDataIntervalTimetable
from tradewind.timetables.trigger import CronTriggerTimetable


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def spec_of(schedule: Any, **kwargs: Any) -> DagSpec:
    """The DAG's spec as the scheduler reads it back from the metastore."""
    kwargs.setdefault("start_date", utc(2024, 1, 1))
    dag = DAG("tt", schedule=schedule, auto_register=False, **kwargs)
    return DagSpec.from_json(serialize_dag(dag).to_json())


# -- CronTriggerTimetable --------------------------------------------------------------


def test_cron_trigger_logical_date_is_the_fire_time_with_the_interval_before_it() -> None:
    spec = spec_of(
        CronTriggerTimetable("0 6 * * *", timezone="Europe/Berlin", interval=timedelta(hours=2))
    )
    info = next_dagrun_info(spec, now=utc(2024, 1, 3))
    assert info == DagRunInfo(
        utc(2024, 1, 1, 5), utc(2024, 1, 1, 3), utc(2024, 1, 1, 5), utc(2024, 1, 1, 5)
    )
    after = next_dagrun_info(spec, last_automated_interval=info.data_interval, now=utc(2024, 1, 3))
    assert after is not None and after.logical_date == utc(2024, 1, 2, 5)


def test_cron_trigger_keeps_the_wall_clock_of_its_own_zone_across_dst() -> None:
    spec = spec_of(CronTriggerTimetable("0 6 * * *", timezone="Europe/Berlin"))
    got = intervals_between(spec, None, utc(2024, 3, 30), utc(2024, 4, 1))
    assert [i.start for i in got] == [utc(2024, 3, 30, 5), utc(2024, 3, 31, 4)]
    assert all(i.start == i.end for i in got)  # no interval: [fire, fire]


def test_cron_trigger_without_catchup_runs_the_latest_fire_time_only() -> None:
    spec = spec_of(CronTriggerTimetable("@hourly", timezone="UTC"), catchup=False)
    now = utc(2024, 2, 1, 10, 30)
    info = next_dagrun_info(spec, now=now)
    assert info is not None and info.logical_date == utc(2024, 2, 1, 10)
    nxt = next_dagrun_info(spec, last_automated_interval=info.data_interval, now=now)
    assert nxt is not None and nxt.run_after == utc(2024, 2, 1, 11)


def test_cron_trigger_with_catchup_starts_at_the_first_fire_at_or_after_start_date() -> None:
    spec = spec_of(
        CronTriggerTimetable("30 * * * *", timezone="UTC"), start_date=utc(2024, 1, 1, 0, 10)
    )
    info = next_dagrun_info(spec, now=utc(2024, 1, 2))
    assert info is not None and info.logical_date == utc(2024, 1, 1, 0, 30)


def test_cron_trigger_stops_after_end_date_and_its_manual_runs_end_at_the_trigger() -> None:
    spec = spec_of(
        CronTriggerTimetable("0 0 * * *", timezone="UTC", interval=timedelta(days=1)),
        end_date=utc(2024, 1, 2, 12),
    )
    infos, last = [], None
    while info := next_dagrun_info(spec, last_automated_interval=last, now=utc(2024, 2, 1)):
        infos.append(info)
        last = info.data_interval
    assert infos == [
        DagRunInfo(utc(2024, 1, 1), utc(2023, 12, 31), utc(2024, 1, 1), utc(2024, 1, 1)),
        DagRunInfo(utc(2024, 1, 2), utc(2024, 1, 1), utc(2024, 1, 2), utc(2024, 1, 2)),
    ]
    assert infer_manual_data_interval(spec, utc(2024, 5, 1, 7)) == DataInterval(
        utc(2024, 4, 30, 7), utc(2024, 5, 1, 7)
    )


@pytest.mark.parametrize(
    ("run_immediately", "expected"),
    [
        (True, utc(2024, 1, 1, 0)),
        (False, utc(2024, 1, 1, 6)),
        (timedelta(hours=4), utc(2024, 1, 1, 0)),
    ],
)
def test_cron_trigger_without_start_date_follows_run_immediately(
    run_immediately: Any, expected: datetime
) -> None:
    tt = CronTriggerTimetable("0 */6 * * *", timezone="UTC", run_immediately=run_immediately)
    info = next_dagrun_info(tt._to_spec(), start_date=None, now=utc(2024, 1, 1, 3))
    assert info is not None and info.logical_date == expected


# -- the data-interval timetables ------------------------------------------------------


def test_cron_and_delta_data_interval_timetables_equal_their_plain_schedules() -> None:
    now = utc(2024, 1, 5)
    for timetable, plain in [
        (CronDataIntervalTimetable("0 0 * * *", timezone="UTC"), "0 0 * * *"),
        (DeltaDataIntervalTimetable(timedelta(hours=6)), timedelta(hours=6)),
    ]:
        a, b = spec_of(timetable), spec_of(plain)
        assert intervals_between(a, None, utc(2024, 1, 1), now) == intervals_between(
            b, None, utc(2024, 1, 1), now
        )
        assert next_dagrun_info(a, now=now) == next_dagrun_info(b, now=now)


def test_cron_data_interval_timetable_uses_its_own_time_zone() -> None:
    spec = spec_of(CronDataIntervalTimetable("0 6 * * *", timezone="America/New_York"))
    info = next_dagrun_info(spec, now=utc(2024, 1, 5))
    assert info == DagRunInfo.interval(utc(2024, 1, 1, 11), utc(2024, 1, 2, 11))


# -- EventsTimetable -------------------------------------------------------------------

EVENTS = [utc(2024, 3, 1), utc(2024, 1, 15), utc(2024, 2, 1, 12)]


def test_events_run_at_each_event_in_order_then_stop() -> None:
    spec = spec_of(EventsTimetable(EVENTS))
    got = intervals_between(spec, None, utc(2024, 1, 1), utc(2024, 12, 31))
    assert got == [DataInterval.exact(e) for e in sorted(EVENTS)]
    last = DataInterval.exact(utc(2024, 3, 1))
    assert next_dagrun_info(spec, last_automated_interval=last, now=utc(2025, 1, 1)) is None


def test_events_before_start_date_or_after_end_date_are_skipped() -> None:
    spec = spec_of(EventsTimetable(EVENTS), start_date=utc(2024, 1, 20), end_date=utc(2024, 2, 20))
    info = next_dagrun_info(spec, now=utc(2025, 1, 1))
    assert info == DagRunInfo.exact(utc(2024, 2, 1, 12))
    assert (
        next_dagrun_info(spec, last_automated_interval=info.data_interval, now=utc(2025, 1, 1))
        is None
    )


def test_events_without_catchup_run_the_latest_passed_event_then_the_next() -> None:
    spec = spec_of(EventsTimetable(EVENTS), catchup=False)
    now = utc(2024, 2, 10)
    info = next_dagrun_info(spec, now=now)
    assert info == DagRunInfo.exact(utc(2024, 2, 1, 12))
    nxt = next_dagrun_info(spec, last_automated_interval=info.data_interval, now=now)
    assert nxt == DagRunInfo.exact(utc(2024, 3, 1))


def test_naive_events_are_wall_clock_times_in_the_dag_time_zone() -> None:
    from zoneinfo import ZoneInfo

    spec = spec_of(
        EventsTimetable([datetime(2024, 6, 1, 12)]),
        start_date=datetime(2024, 1, 1, tzinfo=ZoneInfo("Europe/Paris")),
    )
    assert next_dagrun_info(spec, now=utc(2025, 1, 1)) == DagRunInfo.exact(utc(2024, 6, 1, 10))


def test_events_restricted_manual_runs_take_the_latest_event() -> None:
    spec = spec_of(EventsTimetable(EVENTS, restrict_to_events=True))
    assert infer_manual_data_interval(spec, utc(2024, 2, 20)) == DataInterval.exact(
        utc(2024, 2, 1, 12)
    )
    assert infer_manual_data_interval(spec, utc(2023, 1, 1)) == DataInterval.exact(utc(2024, 1, 15))
    free = spec_of(EventsTimetable(EVENTS))
    assert infer_manual_data_interval(free, utc(2024, 2, 20)) == DataInterval.exact(
        utc(2024, 2, 20)
    )


def test_events_timetable_description_as_airflow() -> None:
    assert EventsTimetable([]).description == "No events"
    assert EventsTimetable(EVENTS).summary == "3 events"


# -- @continuous -----------------------------------------------------------------------


def test_continuous_first_run_covers_start_date_to_now_then_previous_end_to_now() -> None:
    spec = spec_of("@continuous", max_active_runs=1)
    assert spec.schedule.kind == "continuous"
    first = next_dagrun_info(spec, now=utc(2024, 1, 3))
    assert first == DagRunInfo.interval(utc(2024, 1, 1), utc(2024, 1, 3))
    second = next_dagrun_info(
        spec, last_automated_interval=first.data_interval, now=utc(2024, 1, 3, 0, 5)
    )
    assert second == DagRunInfo.interval(utc(2024, 1, 3), utc(2024, 1, 3, 0, 5))


def test_continuous_makes_no_run_past_end_date_or_without_start_date() -> None:
    spec = spec_of("@continuous", max_active_runs=1, end_date=utc(2024, 1, 2))
    assert next_dagrun_info(spec, now=utc(2024, 1, 3)) is None
    assert next_dagrun_info(spec.schedule, start_date=None, now=utc(2024, 1, 3)) is None


def test_continuous_cannot_be_backfilled() -> None:
    spec = spec_of("@continuous", max_active_runs=1)
    with pytest.raises(ScheduleError, match="continuous"):
        intervals_between(spec, None, utc(2024, 1, 1), utc(2024, 2, 1))


# -- what cannot be scheduled ----------------------------------------------------------


def test_a_custom_timetable_subclass_is_a_definition_error_naming_it() -> None:
    class MyTimetable(Timetable):
        pass

    class MyTrigger(CronTriggerTimetable):
        pass

    with pytest.raises(DagDefinitionError, match="MyTimetable"):
        spec_of(MyTimetable())
    with pytest.raises(DagDefinitionError, match="MyTrigger"):
        spec_of(MyTrigger("@daily", timezone="UTC"))


def test_bad_timetable_arguments_are_schedule_errors() -> None:
    with pytest.raises(ScheduleError):
        CronTriggerTimetable("not cron", timezone="UTC")
    with pytest.raises(ScheduleError):
        CronTriggerTimetable("@daily", timezone="Mars/Base")
    with pytest.raises(ScheduleError):
        DeltaDataIntervalTimetable(timedelta(0))


def test_plain_schedules_keep_their_serialized_form() -> None:
    """The new schedule fields stay out of the JSON of DAGs that do not use them."""
    assert (
        "run_immediately"
        not in serialize_dag(
            DAG("tt", schedule="@daily", start_date=utc(2024, 1, 1), auto_register=False)
        ).to_json()
    )


def test_dag_timetable_argument_is_airflows_older_name_for_schedule() -> None:
    from tradewind.timetables.trigger import CronTriggerTimetable

    start = datetime(2024, 1, 1, tzinfo=UTC)
    old = DAG("old", start_date=start, timetable=CronTriggerTimetable("@daily", timezone="UTC"))
    new = DAG("new", start_date=start, schedule=CronTriggerTimetable("@daily", timezone="UTC"))
    assert old.schedule_spec == new.schedule_spec
    with pytest.raises(DagDefinitionError, match="not both"):
        DAG(
            "both",
            start_date=start,
            schedule="@daily",
            timetable=CronTriggerTimetable("@daily", timezone="UTC"),
        )
