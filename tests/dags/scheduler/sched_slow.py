"""One task that takes a couple of seconds, to stop a scheduler while it runs."""

import time
from datetime import datetime

from tradewind import DAG
from tradewind.operators.python import PythonOperator

with DAG("sched_slow", start_date=datetime(2024, 1, 1), schedule=None):
    PythonOperator(task_id="slow", python_callable=lambda: time.sleep(2))
