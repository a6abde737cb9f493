"""Context names whose Airflow semantics depend on how the run came to be."""

from __future__ import annotations

from datetime import UTC, datetime

from tradewind import DAG
from tradewind.operators.bash import BashOperator
from tradewind.runtime.context import date_entries


def test_a_dag_test_run_takes_prev_and_next_ds_from_the_schedule_as_in_airflow(
    sqlite_metastore,
) -> None:
    """Airflow's dag.test() creates its run with external_trigger=False: prev/next follow the
    schedule (a triggered run's are its own date; see the next test)."""
    from tradewind.metastore.xcoms import pull_xcom
    from tradewind.runtime.dag_test import run_dag_test

    with DAG("prev_ds_manual", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
        BashOperator(task_id="dates", bash_command="echo {{ prev_ds }}/{{ ds }}/{{ next_ds }}")
    result = run_dag_test(
        dag, logical_date=datetime(2024, 3, 10, tzinfo=UTC), metastore=sqlite_metastore
    )
    with sqlite_metastore.session() as session:
        rendered = pull_xcom(session, "prev_ds_manual", result.run_id, "dates")
    assert rendered == "2024-03-09/2024-03-10/2024-03-10"


def test_a_scheduled_run_takes_prev_and_next_from_its_schedule() -> None:
    day = datetime(2024, 3, 10, tzinfo=UTC)
    start, end = datetime(2024, 3, 9, tzinfo=UTC), day
    scheduled = date_entries(start, start, end)
    manual = date_entries(day, start, end, external_trigger=True)
    assert (scheduled["prev_ds"], scheduled["ds"], scheduled["next_ds"]) == (
        "2024-03-08",
        "2024-03-09",
        "2024-03-10",
    )
    assert (manual["prev_ds_nodash"], manual["next_ds_nodash"]) == ("20240310", "20240310")
    assert manual["prev_execution_date"] == manual["next_execution_date"] == day
    assert manual["data_interval_start"] == start and manual["data_interval_end"] == end
