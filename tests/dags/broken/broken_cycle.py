"""A DAG file whose tasks form a cycle: extract >> transform >> load >> extract."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import EmptyOperator

with DAG("broken_cycle", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    extract = EmptyOperator(task_id="extract")
    transform = EmptyOperator(task_id="transform")
    load = EmptyOperator(task_id="load")
    extract >> transform >> load >> extract
