"""Retries, a failure without retry, all_done cleanup and callbacks at task and DAG level."""

# A DAG as Airflow users write it; only the imports are rewritten.
import os
from datetime import datetime, timedelta

from tradewind import DAG
from tradewind.exceptions import AirflowException, AirflowFailException
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.python import PythonOperator


def _record(line):
    path = os.environ.get("COMPAT_CALLBACK_FILE")
    if path:
        with open(path, "a") as handle:
            handle.write(line + "\n")


def on_failure(context):
    ti = context["ti"]
    _record(f"task_failed {ti.task_id} try={ti.try_number} error={context.get('exception')}")


def on_retry(context):
    _record(f"task_retry {context['ti'].task_id} try={context['ti'].try_number}")


def on_dag_failure(context):
    _record(f"dag_failed {context['dag'].dag_id} reason={context.get('reason')}")


def flaky(ti):
    if ti.try_number < 2:
        raise AirflowException("the first try always fails")
    return f"ok on try {ti.try_number}"


def broken():
    raise AirflowFailException("bad input: retrying will not help")


default_args = {
    "owner": "ops",
    "retries": 2,
    "retry_delay": timedelta(seconds=0.2),
    "on_failure_callback": on_failure,
    "on_retry_callback": on_retry,
    "email_on_failure": False,
}

with DAG(
    "flaky_with_callbacks",
    default_args=default_args,
    schedule_interval=None,
    start_date=datetime(2023, 1, 1),
    on_failure_callback=on_dag_failure,
) as dag:
    flaky_task = PythonOperator(task_id="flaky", python_callable=flaky)
    broken_task = PythonOperator(task_id="broken", python_callable=broken)
    after_broken = EmptyOperator(task_id="after_broken")
    report = EmptyOperator(task_id="report")
    cleanup = BashOperator(task_id="cleanup", bash_command="echo cleanup", trigger_rule="all_done")

    broken_task >> after_broken >> [cleanup, report]
    flaky_task >> cleanup
