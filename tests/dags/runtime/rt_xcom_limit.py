"""A return value over core.xcom_max_size fails the task with a clear message."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import PythonOperator

with DAG("rt_xcom_limit", start_date=datetime(2024, 1, 1), schedule=None):
    PythonOperator(task_id="too_big", python_callable=lambda: "x" * 5000)
    PythonOperator(task_id="small", python_callable=lambda: "ok")
