"""Sensors that finish in seconds: a FileSensor waiting for a file an upstream task writes, a
TimeDeltaSensor, and a PythonSensor polling a condition in reschedule mode (its worker slot is
given back between pokes)."""

import os
import tempfile
from datetime import datetime, timedelta

from tradewind import DAG, task
from tradewind.sensors.filesystem import FileSensor
from tradewind.sensors.python import PythonSensor
from tradewind.sensors.time_delta import TimeDeltaSensor

#: one flag file per run (templated: rendered when the task runs)
FLAG = os.path.join(tempfile.gettempdir(), "tradewind_example_sensors_{{ run_id }}.flag")


def _file_has_content(path):
    return os.path.exists(path) and os.path.getsize(path) > 0


with DAG(
    dag_id="example_sensors",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "sensors"],
) as dag:

    @task
    def write_flag(run_id=None):
        path = os.path.join(tempfile.gettempdir(), f"tradewind_example_sensors_{run_id}.flag")
        with open(path, "w") as fh:
            fh.write("ready\n")
        return path

    wait_for_file = FileSensor(task_id="wait_for_file", filepath=FLAG, poke_interval=1, timeout=30)

    wait_a_moment = TimeDeltaSensor(
        task_id="wait_a_moment", delta=timedelta(seconds=1), poke_interval=1, timeout=30
    )

    wait_for_condition = PythonSensor(
        task_id="wait_for_condition",
        python_callable=_file_has_content,
        op_kwargs={"path": FLAG},
        poke_interval=1,
        timeout=30,
        mode="reschedule",
    )

    @task
    def clean_up(path):
        os.remove(path)

    flag = write_flag()
    sensors = [wait_for_file, wait_a_moment, wait_for_condition]
    flag >> sensors
    sensors >> clean_up(flag)
