"""Retries: a flaky task succeeds on its second try; another exhausts its retries."""

from datetime import datetime, timedelta

from tradewind import DAG
from tradewind.operators import PythonOperator


def _flaky(ti):
    if ti.try_number < 2:
        raise ValueError(f"flaky failure on try {ti.try_number}")
    return ti.try_number


def _always_fails():
    raise RuntimeError("this task always fails")


with DAG(
    "rt_retries",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    default_args={"retry_delay": timedelta(seconds=0.2)},
):
    PythonOperator(task_id="flaky", python_callable=_flaky, retries=2)
    PythonOperator(task_id="always_fails", python_callable=_always_fails, retries=1)
