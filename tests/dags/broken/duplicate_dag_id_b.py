"""The second of two files defining the same dag_id: it gets the import error."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import EmptyOperator

with DAG("duplicated", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    EmptyOperator(task_id="from_b")

with DAG("not_duplicated", start_date=datetime(2024, 1, 1), schedule=None) as other:
    EmptyOperator(task_id="fine")
