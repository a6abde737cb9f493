"""The first of two files defining the same dag_id: this one keeps it."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import EmptyOperator

with DAG("duplicated", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    EmptyOperator(task_id="from_a")
