"""A sensor in reschedule mode gives its slot back between pokes and keeps its try number."""

import os
from datetime import datetime

from tradewind import DAG
from tradewind.sensors import PythonSensor

COUNTER = os.environ.get("RT_POKE_COUNTER", "/tmp/rt_pokes")


def _third_poke():
    with open(COUNTER, "a") as handle:
        handle.write("x")
    with open(COUNTER) as handle:
        return len(handle.read()) >= 3


with DAG("rt_reschedule", start_date=datetime(2024, 1, 1), schedule=None):
    PythonSensor(task_id="wait", python_callable=_third_poke, mode="reschedule", poke_interval=0.1)
