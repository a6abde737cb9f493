"""DAG-level callbacks that leave a mark in a file named by an environment variable."""

import os
from datetime import datetime
from pathlib import Path

from tradewind import DAG
from tradewind.operators.python import PythonOperator


def _mark(context) -> None:
    path = Path(os.environ["SCHED_CALLBACK_FILE"])
    with path.open("a") as out:
        out.write(f"{context['dag_run'].dag_id} {context['reason']}\n")


def _boom() -> None:
    raise RuntimeError("fails on purpose")


with DAG(
    "sched_cb_success",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    on_success_callback=_mark,
):
    PythonOperator(task_id="ok", python_callable=lambda: None)

with DAG(
    "sched_cb_failure",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    on_failure_callback=_mark,
):
    PythonOperator(task_id="boom", python_callable=_boom)
