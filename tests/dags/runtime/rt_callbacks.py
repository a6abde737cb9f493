"""Callbacks get the context; an exception inside one changes no state."""

import json
import os
from datetime import datetime, timedelta

from tradewind import DAG
from tradewind.operators import PythonOperator

OUT = os.environ.get("RT_CALLBACK_FILE", "/tmp/rt_callbacks.jsonl")


def _record(kind):
    def callback(context):
        with open(OUT, "a") as handle:
            entry = {
                "kind": kind,
                "task_id": context["ti"].task_id if context.get("ti") else None,
                "run_id": context["run_id"],
                "ds": context["ds"],
                "exception": str(context.get("exception")) if context.get("exception") else None,
                "reason": context.get("reason"),
            }
            handle.write(json.dumps(entry) + "\n")

    return callback


def _explode(context):
    raise RuntimeError("callback exploded")


def _fail():
    raise ValueError("task failed on purpose")


with DAG(
    "rt_callbacks",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    on_failure_callback=_record("dag_failure"),
    on_success_callback=_record("dag_success"),
):
    PythonOperator(
        task_id="good",
        python_callable=lambda: 1,
        on_success_callback=[_explode, _record("success")],
    )
    PythonOperator(
        task_id="bad",
        python_callable=_fail,
        on_failure_callback=[_record("failure"), _explode],
    )
    PythonOperator(
        task_id="retrying",
        python_callable=_fail,
        retries=1,
        retry_delay=timedelta(seconds=0.05),
        on_retry_callback=_record("retry"),
    )
