"""A task's context dates are pendulum ``DateTime``s; the schedule arithmetic that operators
run on them (``LatestOnlyOperator``) must keep its answers aware and right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pendulum
import pytest

from tradewind.core.schedules import next_dagrun_info
from tradewind.sdk.schedule_arg import schedule_spec


@pytest.mark.parametrize(
    ("schedule", "expected_end"),
    [
        (timedelta(hours=6), datetime(2024, 3, 1, 12, tzinfo=UTC)),
        ("@hourly", datetime(2024, 3, 1, 7, tzinfo=UTC)),
        ("@daily", datetime(2024, 3, 3, tzinfo=UTC)),
    ],
)
def test_the_next_interval_after_pendulum_dates_is_aware_and_right(schedule, expected_end) -> None:
    spec = schedule_spec(schedule, "d")
    start = pendulum.datetime(2024, 3, 1, 0)
    if schedule == "@daily":
        start, end = pendulum.datetime(2024, 3, 1), pendulum.datetime(2024, 3, 2)
    elif schedule == "@hourly":
        start, end = pendulum.datetime(2024, 3, 1, 5), pendulum.datetime(2024, 3, 1, 6)
    else:
        start, end = pendulum.datetime(2024, 3, 1, 0), pendulum.datetime(2024, 3, 1, 6)

    info = next_dagrun_info(
        spec, tz="UTC", start_date=start, catchup=True, last_automated_interval=(start, end)
    )

    assert info is not None
    assert info.data_interval.end.tzinfo is not None
    assert info.data_interval.end == expected_end
    assert info.data_interval.end < datetime.now(UTC)  # comparable with an aware now


def test_a_cron_that_never_fires_is_refused_when_the_dag_is_built() -> None:
    from tradewind.errors import ScheduleError

    with pytest.raises(ScheduleError, match="never fires"):
        schedule_spec("0 0 31 2 *", "d")  # February 31
    assert schedule_spec("0 0 29 2 *", "d") is not None  # a leap day does come
