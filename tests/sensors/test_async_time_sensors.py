"""TimeDeltaSensorAsync, TimeSensorAsync and DateTimeSensorAsync through the real runtime: with no
triggerer they wait in reschedule mode (each poke its own run of the same try) and poke again at
the target time rather than after the whole ``poke_interval``."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from tradewind import DAG
from tradewind.runtime.dag_test import run_dag_test
from tradewind.sensors import (
    DateTimeSensor,
    DateTimeSensorAsync,
    TimeDeltaSensor,
    TimeDeltaSensorAsync,
    TimeSensor,
    TimeSensorAsync,
)

LOGICAL = datetime(2024, 1, 1, tzinfo=UTC)
#: how long after its creation each test sensor's target time is
LEAD = 1.5


def _counting(cls: type) -> tuple[type, list[datetime]]:
    """A subclass of ``cls`` that notes when each of its executions (pokes) started."""
    runs: list[datetime] = []

    class Counting(cls):  # type: ignore[misc, valid-type]
        def execute(self, context: dict[str, Any]) -> Any:
            runs.append(datetime.now(UTC))
            return super().execute(context)

    Counting.__name__ = cls.__name__
    return Counting, runs


def _assert_woke_at_target(dag: DAG, metastore: Any, runs: list[datetime], target: datetime):
    started = clock.monotonic()
    result = run_dag_test(dag, logical_date=LOGICAL, metastore=metastore)
    wait = result.get_task_instance("wait")
    assert result.state == "success" and wait.state == "success"
    assert wait.try_number == 1  # rescheduling is not retrying
    assert len(runs) >= 2  # not done at the first poke: rescheduled, then poked again
    assert runs[-1] >= target
    # default poke_interval is 60s: the last poke came at the target time, not a minute later
    assert runs[-1] - target < timedelta(seconds=10)
    assert clock.monotonic() - started < 30


@pytest.mark.parametrize(
    "cls", [TimeDeltaSensorAsync, TimeSensorAsync, DateTimeSensorAsync], ids=lambda c: c.__name__
)
def test_async_time_sensors_are_their_sync_sensor_in_reschedule_mode(cls):
    sync = {
        TimeDeltaSensorAsync: TimeDeltaSensor,
        TimeSensorAsync: TimeSensor,
        DateTimeSensorAsync: DateTimeSensor,
    }[cls]
    target = {
        TimeDeltaSensorAsync: {"delta": timedelta(hours=1)},
        TimeSensorAsync: {"target_time": datetime.now(UTC).time()},
        DateTimeSensorAsync: {"target_time": datetime.now(UTC)},
    }[cls]
    sensor = cls(
        task_id="wait",
        mode="poke",
        deferrable=False,
        end_from_trigger=True,
        start_from_trigger=True,
        trigger_kwargs={"moment": "x"},
        **target,
    )
    assert isinstance(sensor, sync)
    assert sensor.mode == "reschedule" and sensor.reschedule
    assert sensor.end_from_trigger is True and sensor.trigger_kwargs == {"moment": "x"}
    assert sensor.template_fields == sync.template_fields


def test_time_delta_sensor_async_pokes_again_at_the_end_of_the_interval_plus_delta(metastore):
    cls, runs = _counting(TimeDeltaSensorAsync)
    target = datetime.now(UTC) + timedelta(seconds=LEAD)
    with DAG("tds_async", start_date=LOGICAL, schedule=None) as dag:
        cls(task_id="wait", delta=target - LOGICAL, end_from_trigger=True)
    _assert_woke_at_target(dag, metastore, runs, target)


def test_date_time_sensor_async_pokes_again_at_the_target_time(metastore):
    cls, runs = _counting(DateTimeSensorAsync)
    target = datetime.now(UTC) + timedelta(seconds=LEAD)
    with DAG("dts_async", start_date=LOGICAL, schedule=None) as dag:
        cls(task_id="wait", target_time=target.isoformat(), deferrable=True)
    _assert_woke_at_target(dag, metastore, runs, target)


def test_date_time_sensor_async_renders_a_templated_target_time(metastore):
    with DAG("dts_async_tpl", start_date=LOGICAL, schedule=None) as dag:
        DateTimeSensorAsync(task_id="wait", target_time="{{ logical_date + macros.timedelta(1) }}")
    result = run_dag_test(dag, logical_date=LOGICAL, metastore=metastore)
    assert result.get_task_instance("wait").state == "success"


def test_time_sensor_async_pokes_again_at_the_time_of_day_in_the_dags_zone(metastore):
    # a zone where it is now past noon, so that now + LEAD is later the same day there
    now = datetime.now(UTC)
    zone = timezone(timedelta(hours=12 - now.hour))
    cls, runs = _counting(TimeSensorAsync)
    target = now + timedelta(seconds=LEAD)
    start = datetime(2024, 1, 1, tzinfo=zone)
    with DAG("ts_async", start_date=start, schedule=None) as dag:
        cls(task_id="wait", target_time=target.astimezone(zone).time().replace(tzinfo=None))
    _assert_woke_at_target(dag, metastore, runs, target)


def test_an_async_time_sensor_that_never_gets_there_times_out_without_retrying(metastore):
    with DAG("tds_async_timeout", start_date=LOGICAL, schedule=None) as dag:
        TimeDeltaSensorAsync(
            task_id="wait", delta=timedelta(days=365 * 100), poke_interval=0.2, timeout=0.6
        )
    wait = run_dag_test(dag, logical_date=LOGICAL, metastore=metastore).get_task_instance("wait")
    assert wait.state == "failed" and wait.try_number == 1
