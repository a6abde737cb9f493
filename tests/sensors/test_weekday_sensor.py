"""DayOfWeekSensor: done on one of ``week_day`` (names, WeekDay values, or several), checking
today in UTC, or the run's logical date with ``use_task_logical_date``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tradewind import DAG
from tradewind.errors import DagDefinitionError
from tradewind.runtime.dag_test import run_dag_test
from tradewind.sensors import DayOfWeekSensor
from tradewind.utils.weekday import WeekDay

MONDAY = datetime(2024, 1, 1, tzinfo=UTC)


def _run_sensor(metastore, dag_id: str, **kwargs) -> str:
    with DAG(dag_id, start_date=MONDAY, schedule=None) as dag:
        DayOfWeekSensor(task_id="wait", poke_interval=0.1, timeout=0.4, **kwargs)
    result = run_dag_test(dag, logical_date=MONDAY, metastore=metastore)
    return result.get_task_instance("wait").state


@pytest.mark.parametrize(
    "week_day",
    ["Monday", "monday", WeekDay.MONDAY, {"Sunday", "Monday"}, [WeekDay.FRIDAY, "MONDAY"]],
    ids=["name", "lower", "enum", "set", "mixed"],
)
def test_the_logical_date_on_one_of_the_days_succeeds(metastore, week_day):
    assert _run_sensor(metastore, "dow_ok", week_day=week_day, use_task_logical_date=True) == (
        "success"
    )


def test_the_logical_date_on_another_day_times_out(metastore):
    state = _run_sensor(
        metastore, "dow_no", week_day={"Tuesday", "Sunday"}, use_task_logical_date=True
    )
    assert state == "failed"


def test_the_old_use_task_execution_day_name_checks_the_logical_date(metastore):
    state = _run_sensor(metastore, "dow_old", week_day="Monday", use_task_execution_day=True)
    assert state == "success"


def test_by_default_today_in_utc_is_checked_not_the_logical_date(metastore):
    today = WeekDay(datetime.now(UTC).isoweekday())
    others = [day for day in WeekDay if day != today]
    assert _run_sensor(metastore, "dow_today", week_day=today.name.title()) == "success"
    if today != WeekDay.MONDAY:  # the logical date is a Monday: that must not count
        assert _run_sensor(metastore, "dow_not_logical", week_day="Monday") == "failed"
    assert _run_sensor(metastore, "dow_others", week_day=others) == "failed"


@pytest.mark.parametrize("week_day", ["Funday", 3, ["Monday", "Someday"]])
def test_an_invalid_week_day_is_a_dag_definition_error(week_day):
    with pytest.raises(DagDefinitionError):
        DayOfWeekSensor(task_id="wait", week_day=week_day)
