"""A small DAG with no schedule, tagged differently from dash_pipeline."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

with DAG(
    dag_id="dash_simple", schedule=None, start_date=datetime(2024, 1, 1), tags=["reports"]
) as dag:
    EmptyOperator(task_id="only")
