"""BaseSensorOperator: the poke loop, reschedule requests, timeouts, soft_fail, backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tradewind.errors import (
    DagDefinitionError,
    RescheduleRequest,
    SensorTimeout,
    TaskFailure,
    TaskSkipped,
)
from tradewind.sensors import BaseSensorOperator, PokeReturnValue


class CountingSensor(BaseSensorOperator):
    def __init__(self, *, done_after: int, value=None, **kwargs):
        super().__init__(**kwargs)
        self.done_after = done_after
        self.value = value
        self.pokes = 0

    def poke(self, context):
        self.pokes += 1
        if self.value is not None:
            return PokeReturnValue(self.pokes >= self.done_after, self.value)
        return self.pokes >= self.done_after


class FailingSensor(BaseSensorOperator):
    def poke(self, context):
        raise RuntimeError("cannot look")


def test_poke_mode_pokes_until_done_and_returns_the_xcom_value():
    sensor = CountingSensor(task_id="s", done_after=3, value={"n": 1}, poke_interval=0.01)
    assert sensor.execute({}) == {"n": 1}
    assert sensor.pokes == 3


def test_a_bool_poke_returns_nothing_for_xcom():
    assert CountingSensor(task_id="s", done_after=1, poke_interval=0).execute({}) is None


def test_poke_mode_times_out_with_a_sensor_timeout():
    sensor = CountingSensor(task_id="s", done_after=10**9, poke_interval=0.01, timeout=0.05)
    with pytest.raises(SensorTimeout, match="Sensor has timed out"):
        sensor.execute({})
    assert 2 <= sensor.pokes < 50


def test_soft_fail_turns_a_timeout_into_a_skip():
    sensor = CountingSensor(
        task_id="s", done_after=10**9, poke_interval=0.01, timeout=0.03, soft_fail=True
    )
    with pytest.raises(TaskSkipped):
        sensor.execute({})


def test_reschedule_mode_pokes_once_and_asks_to_be_rescheduled_after_the_interval():
    sensor = CountingSensor(task_id="s", done_after=2, mode="reschedule", poke_interval=30)
    ti = SimpleNamespace(first_poke_at=datetime.now(UTC))
    before = datetime.now(UTC)
    with pytest.raises(RescheduleRequest) as info:
        sensor.execute({"ti": ti})
    assert sensor.pokes == 1
    assert (
        before + timedelta(seconds=29) < info.value.reschedule_at < before + timedelta(seconds=32)
    )
    assert sensor.execute({"ti": ti}) is None  # second try: done


def test_reschedule_mode_counts_the_timeout_from_the_first_poke():
    sensor = CountingSensor(
        task_id="s", done_after=10**9, mode="reschedule", poke_interval=5, timeout=60
    )
    ti = SimpleNamespace(first_poke_at=datetime.now(UTC) - timedelta(seconds=61))
    with pytest.raises(SensorTimeout):
        sensor.execute({"ti": ti})


def test_a_sensor_timeout_does_not_use_retries():
    assert issubclass(SensorTimeout, TaskFailure)
    from tradewind.errors import TaskFailureNoRetry

    assert issubclass(SensorTimeout, TaskFailureNoRetry)


def test_errors_in_poke_fail_unless_silent_fail_or_never_fail():
    with pytest.raises(RuntimeError):
        FailingSensor(task_id="s", poke_interval=0).execute({})
    silent = FailingSensor(task_id="s", poke_interval=0.01, timeout=0.03, silent_fail=True)
    with pytest.raises(SensorTimeout):
        silent.execute({})
    with pytest.raises(TaskSkipped):
        FailingSensor(task_id="s", poke_interval=0, never_fail=True).execute({})


def test_exponential_backoff_grows_and_is_capped_by_max_wait():
    sensor = CountingSensor(
        task_id="s",
        done_after=1,
        poke_interval=10,
        exponential_backoff=True,
        max_wait=timedelta(seconds=100),
        timeout=10_000,
    )
    intervals = [sensor._get_next_poke_interval(0.0, lambda: 0.0, n) for n in range(1, 8)]
    assert intervals[1] < intervals[3] < intervals[5]
    assert max(intervals) <= 100


def test_bad_arguments_are_refused_at_declaration():
    with pytest.raises(DagDefinitionError, match="mode must be one of"):
        CountingSensor(task_id="s", done_after=1, mode="sleepy")
    with pytest.raises(DagDefinitionError, match="non-negative"):
        CountingSensor(task_id="s", done_after=1, poke_interval=-1)
    sensor = CountingSensor(task_id="s", done_after=1, poke_interval=timedelta(minutes=2))
    assert sensor.poke_interval == 120 and sensor.is_sensor
