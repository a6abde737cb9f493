"""Callbacks (task and DAG) and e-mail alerts from default_args, for the scheduler path."""

import json
import os
from datetime import datetime, timedelta

from tradewind import DAG
from tradewind.operators import PythonOperator

OUT = os.environ.get("AU_CALLBACK_FILE", "/tmp/au_callbacks.jsonl")


def _record(kind):
    def callback(context):
        ti = context.get("ti")
        entry = {
            "kind": kind,
            "task_id": ti.task_id if ti is not None else None,
            "try_number": ti.try_number if ti is not None else None,
            "run_id": context["run_id"],
            "dag_id": context["dag"].dag_id,
            "exception": str(context["exception"]) if context.get("exception") else None,
        }
        with open(OUT, "a") as handle:
            handle.write(json.dumps(entry) + "\n")

    return callback


def _explode(context):
    raise RuntimeError("callback exploded")


def _fail():
    raise ValueError("row 7 is malformed")


with DAG(
    "au_alerts",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    on_failure_callback=[_explode, _record("dag_failure")],
    default_args={
        "email": "oncall@tradewind.test",
        "email_on_failure": True,
        "email_on_retry": True,
        "retries": 1,
        "retry_delay": timedelta(seconds=0.2),
    },
):
    PythonOperator(
        task_id="fragile",
        python_callable=_fail,
        on_retry_callback=[_explode, _record("retry")],
        on_failure_callback=[_record("failure"), _explode],
    )
    PythonOperator(
        task_id="fine",
        python_callable=lambda: "ok",
        on_success_callback=[_explode, _record("success")],
    )
