"""The context's dates are pendulum DateTimes in UTC, in Python tasks and in templates, as in
Airflow; the ``ds``/``ts`` strings stay as they were."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pendulum

from tradewind import DAG
from tradewind.metastore.xcoms import pull_xcom
from tradewind.operators.bash import BashOperator
from tradewind.operators.python import PythonOperator

DAY = datetime(2024, 6, 1, tzinfo=UTC)
DATE_NAMES = (
    "logical_date",
    "execution_date",
    "data_interval_start",
    "data_interval_end",
    "next_execution_date",
    "prev_execution_date",
    "prev_data_interval_start_success",
    "prev_data_interval_end_success",
    "prev_start_date_success",
    "prev_end_date_success",
    "prev_execution_date_success",
)


def _xcom(metastore: Any, dag_id: str, run_id: str, task_id: str) -> Any:
    with metastore.session() as session:
        return pull_xcom(session, dag_id, run_id, task_id)


def _kinds(**context: Any) -> dict[str, str]:
    """For each date name: the type and time zone of its value (None before a first success)."""
    kinds = {}
    for name in DATE_NAMES:
        value = context[name]
        kinds[name] = value and f"{type(value).__module__}.{type(value).__name__} {value.tzinfo}"
    run = context["dag_run"]
    for name in ("logical_date", "data_interval_start", "data_interval_end"):
        value = getattr(run, name)
        kinds[f"dag_run.{name}"] = f"{type(value).__module__}.{type(value).__name__}"
    return kinds


def _arithmetic(logical_date, data_interval_start, execution_date, dag_run, **_: Any) -> dict:
    return {
        "berlin": logical_date.in_timezone("Europe/Berlin").isoformat(),
        "tomorrow": logical_date.add(days=1).format("YYYYMMDD"),
        "yesterday": execution_date.subtract(days=1).to_date_string(),
        "start_of_day": data_interval_start.add(hours=5).start_of("day").isoformat(),
        "run_tomorrow": dag_run.logical_date.add(days=1).format("YYYY-MM-DD"),
        "run_interval_end": dag_run.data_interval_end.format("YYYYMMDD"),
    }


def test_every_date_of_a_python_tasks_context_is_a_pendulum_datetime_in_utc(sqlite_metastore):
    with DAG("ctx_pendulum_kinds", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
        PythonOperator(task_id="kinds", python_callable=_kinds)
    earlier = dag.test(logical_date=datetime(2024, 5, 30, tzinfo=UTC))
    assert earlier.state == "success"
    run = dag.test(logical_date=DAY)
    assert run.state == "success"
    kinds = _xcom(sqlite_metastore, "ctx_pendulum_kinds", run.run_id, "kinds")
    assert kinds == {
        **{name: "pendulum.datetime.DateTime UTC" for name in DATE_NAMES},
        "dag_run.logical_date": "pendulum.datetime.DateTime",
        "dag_run.data_interval_start": "pendulum.datetime.DateTime",
        "dag_run.data_interval_end": "pendulum.datetime.DateTime",
    }


def test_pendulum_arithmetic_and_formatting_work_in_a_python_task(sqlite_metastore):
    with DAG("ctx_pendulum_python", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
        PythonOperator(task_id="dates", python_callable=_arithmetic)
    run = dag.test(logical_date=DAY)
    assert run.state == "success"
    assert _xcom(sqlite_metastore, "ctx_pendulum_python", run.run_id, "dates") == {
        "berlin": "2024-06-01T02:00:00+02:00",
        "tomorrow": "20240602",
        "yesterday": "2024-05-31",
        "start_of_day": "2024-05-31T00:00:00+00:00",
        "run_tomorrow": "2024-06-02",
        "run_interval_end": "20240601",
    }


def test_pendulum_methods_work_in_templates_and_the_strings_stay_the_same(sqlite_metastore):
    command = (
        "echo {{ data_interval_start.format('YYYYMMDD') }}"
        "/{{ execution_date.subtract(days=1) }}"
        "/{{ logical_date.in_timezone('Europe/Berlin').format('HH:mm') }}"
        "/{{ dag_run.logical_date.add(days=1).format('YYYYMMDD') }}"
        "/{{ ds }}/{{ ts }}/{{ ts_nodash_with_tz }}/{{ next_ds_nodash }}"
    )
    with DAG("ctx_pendulum_jinja", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
        BashOperator(task_id="render", bash_command=command)
    run = dag.test(logical_date=DAY)
    assert run.state == "success"
    assert _xcom(sqlite_metastore, "ctx_pendulum_jinja", run.run_id, "render") == (
        "20240531/2024-05-31 00:00:00+00:00/02:00/20240602"
        "/2024-06-01/2024-06-01T00:00:00+00:00/20240601T000000+0000/20240601"
    )


def test_a_loaded_dag_run_gets_pendulum_dates_without_being_marked_changed(sqlite_metastore):
    from sqlalchemy import select

    from tradewind.metastore.models import DagRun
    from tradewind.runtime.context import build_context

    with sqlite_metastore.session() as session:
        session.add(
            DagRun(
                dag_id="ctx_row",
                run_id="manual__row",
                logical_date=DAY,
                data_interval_start=DAY,
                data_interval_end=DAY,
            )
        )
    with sqlite_metastore.session() as session:
        run = session.execute(select(DagRun).where(DagRun.run_id == "manual__row")).scalar_one()
        started = datetime(2024, 6, 1, 5, tzinfo=UTC)
        run.state, run.start_date = "running", started  # changes not yet flushed are kept
        ti = SimpleNamespace(dag_id="ctx_row", run_id="manual__row", task_id="t", map_index=-1)
        ti.try_number = 1
        task = SimpleNamespace(task_id="t")
        context = build_context(dag=None, task=task, ti=ti, dag_run=run)
        assert isinstance(run.logical_date, pendulum.DateTime) and run.logical_date == DAY
        assert context["dag_run"].data_interval_end.add(days=1).day == 2
        assert {attr.key for attr in _changed(run)} == {"state", "start_date"}
    with sqlite_metastore.session() as session:
        stored = session.execute(select(DagRun).where(DagRun.run_id == "manual__row")).scalar_one()
        assert (stored.state, stored.logical_date, stored.start_date) == ("running", DAY, started)


def _changed(row: Any) -> list[Any]:
    from sqlalchemy import inspect

    return [attr for attr in inspect(row).attrs if attr.history.has_changes()]
