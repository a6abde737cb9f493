"""A controller triggers au_target with conf and waits for the triggered runs to finish."""

from datetime import datetime

from tradewind import DAG, Param
from tradewind.operators import PythonOperator
from tradewind.operators.trigger_dagrun import TriggerDagRunOperator


def _work(params):
    if params["fail"]:
        raise ValueError("asked to fail")
    return params["n"] * 10


with DAG(
    "au_target",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    params={"n": Param(1, type="integer", minimum=0), "fail": Param(False, type="boolean")},
):
    PythonOperator(task_id="work", python_callable=_work)

with DAG("au_controller", start_date=datetime(2024, 1, 1), schedule=None):
    TriggerDagRunOperator(
        task_id="trigger_ok",
        trigger_dag_id="au_target",
        trigger_run_id="ok_{{ run_id }}",
        conf={"n": 4},
        logical_date="{{ logical_date }}",
        wait_for_completion=True,
        poke_interval=0.3,
        allowed_states=["success"],
        failed_states=["failed"],
    )
    TriggerDagRunOperator(
        task_id="trigger_bad",
        trigger_dag_id="au_target",
        trigger_run_id="bad_{{ run_id }}",
        conf={"n": 1, "fail": True},
        wait_for_completion=True,
        poke_interval=0.3,
        failed_states=["failed"],
    )
