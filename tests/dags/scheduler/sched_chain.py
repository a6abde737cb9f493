"""Three no-op Python tasks in a chain, manual only, unpaused at creation."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators.python import PythonOperator


def _noop() -> str:
    return "ok"


with DAG(
    "sched_chain",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    is_paused_upon_creation=False,
    tags=["scheduler-test"],
) as dag:
    first = PythonOperator(task_id="first", python_callable=_noop)
    second = PythonOperator(task_id="second", python_callable=_noop)
    third = PythonOperator(task_id="third", python_callable=_noop)
    first >> second >> third
