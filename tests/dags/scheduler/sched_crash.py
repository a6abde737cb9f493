"""A task whose first try kills its own process before it can record a state."""

import os
import signal
from datetime import datetime, timedelta

from tradewind import DAG
from tradewind.operators.python import PythonOperator


def _die_on_first_try(ti=None) -> str:
    if ti.try_number == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return "survived"


with DAG("sched_crash", start_date=datetime(2024, 1, 1), schedule=None):
    PythonOperator(
        task_id="fragile",
        python_callable=_die_on_first_try,
        retries=1,
        retry_delay=timedelta(seconds=0),
    )
