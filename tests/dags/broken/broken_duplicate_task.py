"""A DAG file with two tasks sharing one task_id."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import EmptyOperator

with DAG("broken_duplicate_task", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    EmptyOperator(task_id="same")
    EmptyOperator(task_id="same")
