"""A second, untagged-by-etl DAG, so the filters have something to leave out."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

with DAG(dag_id="api_other", schedule=None, start_date=datetime(2024, 1, 1), tags=["reports"]):
    EmptyOperator(task_id="only")
