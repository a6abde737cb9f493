"""execution_timeout kills a long bash command, with its whole process group."""

import os
from datetime import datetime, timedelta

from tradewind import DAG
from tradewind.operators import BashOperator

PIDFILE = os.environ.get("RT_PIDFILE", "/tmp/rt_timeout.pid")

with DAG("rt_timeout", start_date=datetime(2024, 1, 1), schedule=None):
    BashOperator(
        task_id="sleepy",
        bash_command=f"sleep 30 & echo $! > {PIDFILE}; wait",
        execution_timeout=timedelta(seconds=1),
    )
