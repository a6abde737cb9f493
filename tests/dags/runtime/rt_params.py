"""Params with a schema, overridden by the run's conf."""

from datetime import datetime

from tradewind import DAG, Param
from tradewind.operators import BashOperator

with DAG(
    "rt_params",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    params={"count": Param(1, type="integer", minimum=1), "label": "plain"},
):
    BashOperator(task_id="show", bash_command="echo {{ params.count }}-{{ params.label }}")
