"""Hourly DAGs whose start lies a few hours back: catch-up, no catch-up, end_date, paused."""

from datetime import UTC, datetime, timedelta

from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

with DAG(
    "sched_catchup",
    start_date=HOUR - timedelta(hours=3),
    schedule="@hourly",
    catchup=True,
    is_paused_upon_creation=False,
):
    EmptyOperator(task_id="only")

with DAG(
    "sched_no_catchup",
    start_date=HOUR - timedelta(hours=3),
    schedule="@hourly",
    catchup=False,
    is_paused_upon_creation=False,
):
    EmptyOperator(task_id="only")

with DAG(
    "sched_end_date",
    start_date=HOUR - timedelta(hours=6),
    end_date=HOUR - timedelta(hours=4),
    schedule=timedelta(hours=1),
    catchup=True,
    is_paused_upon_creation=False,
):
    EmptyOperator(task_id="only")

with DAG(
    "sched_paused",
    start_date=HOUR - timedelta(hours=3),
    schedule="@hourly",
    catchup=True,
    is_paused_upon_creation=True,
):
    EmptyOperator(task_id="only")
