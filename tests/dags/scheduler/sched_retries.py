"""Retries with a delay, and depends_on_past."""

from datetime import UTC, datetime, timedelta

from tradewind import DAG
from tradewind.operators.python import PythonOperator

HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _fail_first_try(ti=None) -> str:
    if ti.try_number == 1:
        raise RuntimeError("first try fails on purpose")
    return "second try works"


def _fail_first_run(logical_date=None, data_interval_end=None) -> None:
    if logical_date == HOUR - timedelta(hours=2):
        raise RuntimeError("the first run fails on purpose")


with DAG("sched_retries", start_date=datetime(2024, 1, 1), schedule=None):
    PythonOperator(
        task_id="flaky",
        python_callable=_fail_first_try,
        retries=1,
        retry_delay=timedelta(seconds=1),
    )

with DAG(
    "sched_depends_on_past",
    start_date=HOUR - timedelta(hours=2),
    schedule="@hourly",
    catchup=True,
    is_paused_upon_creation=False,
):
    PythonOperator(task_id="step", python_callable=_fail_first_run, depends_on_past=True)
