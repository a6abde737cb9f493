"""Waiting for things: a file, a Python condition, a time delta; a soft-failing sensor."""

# A DAG as Airflow users write it; only the imports are rewritten. Poke intervals and timeouts
# are seconds rather than minutes so that the test suite stays fast.
import os
from datetime import datetime, timedelta

from tradewind import DAG
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator
from tradewind.sensors.filesystem import FileSensor
from tradewind.sensors.python import PythonSensor
from tradewind.sensors.time_delta import TimeDeltaSensor
from tradewind.utils.trigger_rule import TriggerRule

LANDING = os.environ.get("COMPAT_LANDING_DIR", "/tmp")


def _second_poke_succeeds(ti):
    key = "pokes"
    count = (ti.xcom_pull(task_ids=ti.task_id, key=key) or 0) + 1
    ti.xcom_push(key=key, value=count)
    return count >= 2


with DAG(
    dag_id="sensors_pipeline",
    schedule_interval=None,
    start_date=datetime(2023, 1, 1),
    catchup=False,
    default_args={"poke_interval": 0.2, "timeout": 30},
) as dag:
    land = BashOperator(
        task_id="land_file", bash_command=f"touch {LANDING}/orders_{{{{ ds_nodash }}}}.csv"
    )
    wait_file = FileSensor(
        task_id="wait_for_file", filepath=LANDING + "/orders_{{ ds_nodash }}.csv"
    )
    wait_python = PythonSensor(task_id="wait_for_condition", python_callable=_second_poke_succeeds)
    wait_delta = TimeDeltaSensor(task_id="wait_a_moment", delta=timedelta(seconds=0))
    never = PythonSensor(
        task_id="never_ready", python_callable=lambda: False, timeout=1, soft_fail=True
    )
    process = EmptyOperator(task_id="process")
    report = EmptyOperator(task_id="report", trigger_rule=TriggerRule.NONE_FAILED)

    land >> wait_file >> process
    [wait_python, wait_delta] >> process
    [process, never] >> report
