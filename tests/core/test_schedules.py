"""Schedule arithmetic: Airflow's cron and timedelta timetables, DST, catch-up, backfill ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tradewind.core.schedules import (
    DagRunInfo,
    DataInterval,
    dataset_data_interval,
    infer_manual_data_interval,
    intervals_between,
    next_dagrun_info,
    parse_schedule,
    validate_schedule,
)
from tradewind.core.spec import DagSpec, ScheduleSpec
from tradewind.errors import ScheduleError


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(intervals: list[DataInterval]) -> list[datetime]:
    return [i.start for i in intervals]


DAILY_6 = parse_schedule("0 6 * * *")
ONE_DAY = parse_schedule(timedelta(days=1))


# -- DST ------------------------------------------------------------------------------


def test_cron_keeps_local_wall_clock_across_spring_dst_in_berlin() -> None:
    got = intervals_between(
        DAILY_6, "Europe/Berlin", "2024-03-29T00:00+01:00", "2024-03-31T12:00+02:00"
    )
    assert got == [
        DataInterval(utc(2024, 3, 29, 5), utc(2024, 3, 30, 5)),
        DataInterval(utc(2024, 3, 30, 5), utc(2024, 3, 31, 4)),  # a 23-hour interval
        DataInterval(utc(2024, 3, 31, 4), utc(2024, 4, 1, 4)),
    ]


def test_timedelta_adds_absolute_time_so_the_local_hour_shifts_in_berlin() -> None:
    got = intervals_between(
        ONE_DAY, "Europe/Berlin", "2024-03-29T06:00+01:00", "2024-03-31T12:00+02:00"
    )
    assert got == [
        DataInterval(utc(2024, 3, 29, 5), utc(2024, 3, 30, 5)),
        DataInterval(utc(2024, 3, 30, 5), utc(2024, 3, 31, 5)),  # 07:00 local after the change
        DataInterval(utc(2024, 3, 31, 5), utc(2024, 4, 1, 5)),
    ]


def test_cron_keeps_local_wall_clock_across_autumn_dst_in_berlin() -> None:
    got = intervals_between(
        DAILY_6, "Europe/Berlin", "2024-10-26T00:00+02:00", "2024-10-27T12:00+01:00"
    )
    assert starts(got) == [utc(2024, 10, 26, 4), utc(2024, 10, 27, 5)]
    assert got[0].end == utc(2024, 10, 27, 5)  # a 25-hour interval


def test_cron_keeps_local_wall_clock_across_dst_in_new_york() -> None:
    spring = intervals_between(
        DAILY_6, "America/New_York", "2024-03-09T00:00-05:00", "2024-03-10T12:00-04:00"
    )
    assert starts(spring) == [utc(2024, 3, 9, 11), utc(2024, 3, 10, 10)]
    autumn = intervals_between(
        DAILY_6, "America/New_York", "2024-11-02T00:00-04:00", "2024-11-03T12:00-05:00"
    )
    assert starts(autumn) == [utc(2024, 11, 2, 10), utc(2024, 11, 3, 11)]


def test_timedelta_shifts_the_local_hour_across_dst_in_new_york() -> None:
    got = intervals_between(
        ONE_DAY, "America/New_York", "2024-03-09T06:00-05:00", "2024-03-10T12:00-04:00"
    )
    assert starts(got) == [utc(2024, 3, 9, 11), utc(2024, 3, 10, 11)]  # 07:00 EDT
    autumn = intervals_between(
        ONE_DAY, "America/New_York", "2024-11-02T06:00-04:00", "2024-11-03T12:00-05:00"
    )
    assert starts(autumn) == [utc(2024, 11, 2, 10), utc(2024, 11, 3, 10)]  # 05:00 EST


def test_an_hourly_cron_runs_both_copies_of_the_repeated_hour() -> None:
    hourly = parse_schedule("30 * * * *")
    got = intervals_between(
        hourly, "Europe/Berlin", "2024-10-27T01:00+02:00", "2024-10-27T03:00+01:00"
    )
    assert starts(got) == [
        utc(2024, 10, 26, 23, 30),  # 01:30 CEST
        utc(2024, 10, 27, 0, 30),  # 02:30 CEST
        utc(2024, 10, 27, 1, 30),  # 02:30 CET, the repeated hour
    ]


def test_a_daily_cron_in_the_skipped_hour_moves_forward_by_the_gap_and_never_repeats() -> None:
    """As Airflow resolves a wall-clock time (pendulum, fold=1): 02:30 does not exist on the
    spring-forward night, so that run is at 03:30 CEST."""
    got = intervals_between(
        parse_schedule("30 2 * * *"),
        "Europe/Berlin",
        "2024-03-30T00:00+01:00",
        "2024-04-01T12:00+02:00",
    )
    assert starts(got) == [utc(2024, 3, 30, 1, 30), utc(2024, 3, 31, 1, 30), utc(2024, 4, 1, 0, 30)]
    assert all(i.start < i.end for i in got)


def test_a_daily_cron_in_the_repeated_hour_runs_once_at_its_second_occurrence() -> None:
    got = intervals_between(
        parse_schedule("30 2 * * *"),
        "Europe/Berlin",
        "2024-10-26T00:00+02:00",
        "2024-10-28T12:00+01:00",
    )
    assert starts(got)[:3] == [
        utc(2024, 10, 26, 0, 30),  # 02:30 CEST
        utc(2024, 10, 27, 1, 30),  # 02:30 CET, the second 02:30 of the night
        utc(2024, 10, 28, 1, 30),
    ]


# -- next_dagrun_info -------------------------------------------------------------------


def test_the_first_run_starts_at_the_first_tick_after_start_date_and_runs_at_its_end() -> None:
    info = next_dagrun_info(
        DAILY_6,
        tz="Europe/Berlin",
        start_date="2024-01-01T03:00:00+01:00",
        end_date=None,
        catchup=True,
        last_automated_interval=None,
        now=utc(2024, 6, 1),
    )
    assert info == DagRunInfo(
        logical_date=utc(2024, 1, 1, 5),
        data_interval_start=utc(2024, 1, 1, 5),
        data_interval_end=utc(2024, 1, 2, 5),
        run_after=utc(2024, 1, 2, 5),
    )


def test_with_catchup_the_next_interval_starts_where_the_last_ended() -> None:
    last = DataInterval(utc(2024, 1, 1, 5), utc(2024, 1, 2, 5))
    info = next_dagrun_info(
        DAILY_6,
        tz="Europe/Berlin",
        start_date="2024-01-01T00:00+01:00",
        catchup=True,
        last_automated_interval=last,
        now=utc(2024, 6, 1),
    )
    assert info is not None
    assert info.data_interval == DataInterval(utc(2024, 1, 2, 5), utc(2024, 1, 3, 5))


def test_without_catchup_only_the_latest_complete_interval_runs() -> None:
    last = DataInterval(utc(2024, 1, 1, 5), utc(2024, 1, 2, 5))
    for previous in (None, last):
        info = next_dagrun_info(
            DAILY_6,
            tz="Europe/Berlin",
            start_date="2024-01-01T00:00+01:00",
            catchup=False,
            last_automated_interval=previous,
            now=utc(2024, 6, 10, 12),
        )
        assert info is not None
        assert info.data_interval == DataInterval(utc(2024, 6, 9, 4), utc(2024, 6, 10, 4))


def test_without_catchup_at_a_tick_the_interval_ending_now_runs() -> None:
    info = next_dagrun_info(
        DAILY_6,
        tz="Europe/Berlin",
        start_date="2024-01-01T00:00+01:00",
        catchup=False,
        now=utc(2024, 6, 10, 4),
    )
    assert info is not None and info.run_after == utc(2024, 6, 10, 4)
    before = next_dagrun_info(
        DAILY_6,
        tz="Europe/Berlin",
        start_date="2024-01-01T00:00+01:00",
        catchup=False,
        now=utc(2024, 6, 10, 3, 59),
    )
    assert before is not None and before.run_after == utc(2024, 6, 9, 4)


def test_without_catchup_a_future_start_date_still_wins() -> None:
    info = next_dagrun_info(
        DAILY_6, tz="UTC", start_date="2024-07-01T00:00+00:00", catchup=False, now=utc(2024, 6, 10)
    )
    assert info is not None and info.logical_date == utc(2024, 7, 1, 6)


def test_timedelta_without_catchup_runs_the_last_whole_period() -> None:
    hourly = parse_schedule(timedelta(hours=1))
    info = next_dagrun_info(
        hourly,
        tz="UTC",
        start_date="2024-01-01T00:00+00:00",
        catchup=False,
        now=utc(2024, 6, 10, 12, 34),
    )
    assert info is not None
    assert info.data_interval == DataInterval(utc(2024, 6, 10, 11), utc(2024, 6, 10, 12))


def test_no_run_has_a_logical_date_after_end_date() -> None:
    last = DataInterval(utc(2024, 1, 2, 6), utc(2024, 1, 3, 6))
    kwargs = dict(tz="UTC", start_date="2024-01-01T00:00+00:00", catchup=True, now=utc(2025, 1, 1))
    info = next_dagrun_info(
        DAILY_6, end_date="2024-01-03T06:00+00:00", last_automated_interval=last, **kwargs
    )
    assert info is not None and info.logical_date == utc(2024, 1, 3, 6)
    last = info.data_interval
    assert (
        next_dagrun_info(
            DAILY_6, end_date="2024-01-03T06:00+00:00", last_automated_interval=last, **kwargs
        )
        is None
    )


def test_once_runs_a_single_time_at_start_date() -> None:
    once = parse_schedule("@once")
    info = next_dagrun_info(
        once, tz="UTC", start_date="2024-01-01T00:00+00:00", now=utc(2024, 6, 1)
    )
    assert info == DagRunInfo.exact(utc(2024, 1, 1))
    again = next_dagrun_info(
        once,
        tz="UTC",
        start_date="2024-01-01T00:00+00:00",
        last_automated_interval=info.data_interval,
        now=utc(2024, 6, 1),
    )
    assert again is None


@pytest.mark.parametrize(
    "schedule", [ScheduleSpec(), ScheduleSpec(kind="datasets", dataset_uris=("s3://x",))]
)
def test_none_and_dataset_schedules_make_no_runs_by_time(schedule: ScheduleSpec) -> None:
    assert (
        next_dagrun_info(
            schedule, tz="UTC", start_date="2024-01-01T00:00+00:00", now=utc(2024, 6, 1)
        )
        is None
    )


def test_a_dag_without_start_date_gets_no_automated_runs() -> None:
    assert next_dagrun_info(DAILY_6, tz="UTC", now=utc(2024, 6, 1)) is None


def test_next_dagrun_info_takes_its_defaults_from_a_dag_spec() -> None:
    spec = DagSpec(
        "d", schedule=DAILY_6, start_date="2024-01-01T00:00:00+01:00", timezone="Europe/Berlin"
    )
    info = next_dagrun_info(spec, now=utc(2024, 6, 1))
    assert info is not None and info.logical_date == utc(2024, 1, 1, 5)


# -- backfill and manual runs -----------------------------------------------------------


def test_backfill_range_includes_both_ends_as_logical_dates() -> None:
    daily = parse_schedule("@daily")
    got = intervals_between(daily, "UTC", utc(2024, 1, 1), utc(2024, 1, 3))
    assert starts(got) == [utc(2024, 1, 1), utc(2024, 1, 2), utc(2024, 1, 3)]
    unaligned = intervals_between(daily, "UTC", utc(2024, 1, 1, 1), utc(2024, 1, 3))
    assert starts(unaligned) == [utc(2024, 1, 2), utc(2024, 1, 3)]


def test_backfill_range_can_be_limited_and_is_empty_without_a_time_schedule() -> None:
    assert (
        len(
            intervals_between(
                parse_schedule("@hourly"), "UTC", utc(2024, 1, 1), utc(2024, 2, 1), limit=5
            )
        )
        == 5
    )
    assert intervals_between(ScheduleSpec(), "UTC", utc(2024, 1, 1), utc(2024, 2, 1)) == []
    once = intervals_between(parse_schedule("@once"), "UTC", utc(2024, 1, 1), utc(2024, 2, 1))
    assert once == [DataInterval.exact(utc(2024, 1, 1))]


def test_a_manual_run_covers_the_last_complete_cron_period() -> None:
    daily = parse_schedule("@daily")
    assert infer_manual_data_interval(daily, utc(2024, 1, 25, 1), tz="UTC") == DataInterval(
        utc(2024, 1, 24), utc(2024, 1, 25)
    )
    on_tick = infer_manual_data_interval(daily, utc(2024, 1, 25), tz="UTC")
    assert on_tick == DataInterval(utc(2024, 1, 24), utc(2024, 1, 25))


def test_a_manual_run_of_a_timedelta_dag_covers_the_delta_before_it() -> None:
    got = infer_manual_data_interval(ONE_DAY, utc(2024, 1, 25, 1), tz="UTC")
    assert got == DataInterval(utc(2024, 1, 24, 1), utc(2024, 1, 25, 1))


def test_a_manual_run_without_a_time_schedule_covers_just_its_date() -> None:
    spec = DagSpec("d")
    assert infer_manual_data_interval(spec, utc(2024, 1, 25, 1)) == DataInterval.exact(
        utc(2024, 1, 25, 1)
    )


def test_a_manual_run_of_a_cron_dag_uses_the_dag_time_zone() -> None:
    spec = DagSpec("d", schedule=DAILY_6, timezone="Europe/Berlin")
    start, end = infer_manual_data_interval(spec, utc(2024, 1, 25, 12))
    assert (start, end) == (utc(2024, 1, 24, 5), utc(2024, 1, 25, 5))


def test_dataset_runs_cover_their_triggering_events() -> None:
    assert dataset_data_interval(
        utc(2024, 1, 3), [utc(2024, 1, 2), utc(2024, 1, 1)]
    ) == DataInterval(utc(2024, 1, 1), utc(2024, 1, 2))
    assert dataset_data_interval(utc(2024, 1, 3), []) == DataInterval.exact(utc(2024, 1, 3))


# -- parsing and validation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "expression"),
    [
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@quarterly", "0 0 1 */3 *"),
        ("@yearly", "0 0 1 1 *"),
    ],
)
def test_presets_resolve_to_airflows_cron_expressions(preset: str, expression: str) -> None:
    spec = parse_schedule(preset)
    assert (spec.kind, spec.expression, spec.description) == ("cron", expression, preset)


def test_schedule_values_become_specs() -> None:
    assert parse_schedule(None) == ScheduleSpec()
    assert parse_schedule("@once").kind == "once"
    assert parse_schedule(timedelta(hours=2)).seconds == 7200.0

    class Dataset:
        uri = "s3://bucket/key"

    assert parse_schedule([Dataset()]).dataset_uris == ("s3://bucket/key",)


@pytest.mark.parametrize("bad", ["not a cron", "61 * * * *", "@fortnightly"])
def test_a_bad_cron_expression_is_a_schedule_error(bad: str) -> None:
    with pytest.raises(ScheduleError, match="invalid cron expression"):
        parse_schedule(bad)
    with pytest.raises(ScheduleError):
        next_dagrun_info(
            ScheduleSpec(kind="cron", expression=bad), tz="UTC", start_date="2024-01-01T00:00+00:00"
        )


@pytest.mark.parametrize("bad", [timedelta(0), timedelta(hours=-1), 42, [object()]])
def test_other_bad_schedules_are_schedule_errors(bad: object) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(bad)


def test_an_unknown_time_zone_is_a_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="unknown time zone"):
        validate_schedule(DAILY_6, "Mars/Olympus_Mons")
