"""Example of the LatestOnlyOperator"""

# Airflow's airflow/example_dags/example_latest_only.py (Apache-2.0); only the imports are
# rewritten.
import datetime as dt

from tradewind import DAG
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.latest_only import LatestOnlyOperator

with DAG(
    dag_id="latest_only",
    schedule_interval=dt.timedelta(hours=4),
    start_date=dt.datetime(2021, 1, 1),
    catchup=False,
    tags=["example2", "example3"],
) as dag:
    latest_only = LatestOnlyOperator(task_id="latest_only")
    task1 = EmptyOperator(task_id="task1")

    latest_only >> task1
