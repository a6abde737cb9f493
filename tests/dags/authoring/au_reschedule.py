"""A reschedule-mode FileSensor waits for a file that another task of the same run writes.

With one slot (parallelism 1) this only finishes if the sensor frees its slot between pokes.
"""

import os
import time
from datetime import datetime

from tradewind import DAG
from tradewind.operators import PythonOperator
from tradewind.sensors import FileSensor

FLAG_DIR = os.environ.get("AU_FLAG_DIR", "/tmp/au_flags")


def _write_flag():
    time.sleep(0.5)  # long enough for the sensor to be seen waiting in up_for_reschedule
    with open(os.path.join(FLAG_DIR, "ready.flag"), "w") as handle:
        handle.write("ok")


with DAG("au_reschedule", start_date=datetime(2024, 1, 1), schedule=None, catchup=False):
    wait = FileSensor(
        task_id="wait_for_flag",
        fs_conn_id="flags",
        filepath="*.flag",
        mode="reschedule",
        poke_interval=1,
        timeout=60,
        priority_weight=100,  # queued before the writer, so it holds the only slot first
    )
    write = PythonOperator(task_id="write_flag", python_callable=_write_flag)
    done = PythonOperator(task_id="after", python_callable=lambda: "after")
    wait >> done
