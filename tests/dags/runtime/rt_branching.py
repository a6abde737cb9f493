"""Branching and short-circuiting: skips, and how they propagate."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import BranchPythonOperator, EmptyOperator, ShortCircuitOperator

with DAG("rt_branching", start_date=datetime(2024, 1, 1), schedule=None):
    branch = BranchPythonOperator(task_id="branch", python_callable=lambda: "path_a")
    path_a = EmptyOperator(task_id="path_a")
    path_b = EmptyOperator(task_id="path_b")
    after_b = EmptyOperator(task_id="after_b")
    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")
    branch >> [path_a, path_b]
    path_b >> after_b
    [path_a, after_b] >> join

    gate = ShortCircuitOperator(task_id="gate", python_callable=lambda: False)
    behind = EmptyOperator(task_id="behind")
    further = EmptyOperator(task_id="further")
    gate >> behind >> further
