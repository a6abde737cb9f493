"""Quick tasks in a group: the browser watches a run of it turn green."""

from datetime import datetime

from tradewind import DAG, TaskGroup
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator

with DAG(
    dag_id="bw_quick",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    tags=["browser"],
    description="Three quick steps",
) as dag:
    start = BashOperator(task_id="start", bash_command="echo starting")
    with TaskGroup("work", tooltip="the middle") as work:
        a = BashOperator(task_id="a", bash_command="echo a")
        b = EmptyOperator(task_id="b")
        a >> b
    end = EmptyOperator(task_id="end")
    start >> work >> end
