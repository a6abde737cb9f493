"""500 no-op tasks in one run, for two schedulers at once."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

with DAG("sched_ha", start_date=datetime(2024, 1, 1), schedule=None, max_active_tasks=500):
    for i in range(500):
        EmptyOperator(task_id=f"noop_{i:03d}")
