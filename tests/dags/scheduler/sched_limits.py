"""Concurrency limits: max_active_runs, a pool of 2, max_active_tasks, priority on a pool of 1."""

import time
from datetime import UTC, datetime, timedelta

from tradewind import DAG
from tradewind.operators.python import PythonOperator

HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _nap(seconds: float) -> None:
    time.sleep(seconds)


with DAG(
    "sched_max_active_runs",
    start_date=HOUR - timedelta(hours=3),
    schedule="@hourly",
    catchup=True,
    max_active_runs=1,
    is_paused_upon_creation=False,
):
    PythonOperator(task_id="nap", python_callable=_nap, op_args=[0.3])

with DAG("sched_pool", start_date=datetime(2024, 1, 1), schedule=None):
    for i in range(6):
        PythonOperator(task_id=f"t{i}", python_callable=_nap, op_args=[0.6], pool="two_slots")

with DAG(
    "sched_max_active_tasks",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    max_active_tasks=2,
):
    for i in range(6):
        PythonOperator(task_id=f"t{i}", python_callable=_nap, op_args=[0.6])

with DAG("sched_priority", start_date=datetime(2024, 1, 1), schedule=None):
    for name, weight in (("low", 1), ("top", 4), ("mid", 2), ("high", 3)):
        PythonOperator(
            task_id=name,
            python_callable=_nap,
            op_args=[0.05],
            pool="one_slot",
            priority_weight=weight,
            weight_rule="absolute",
        )
