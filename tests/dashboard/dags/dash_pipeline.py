"""A DAG whose author-written texts carry script payloads: the dashboard must escape them."""

from datetime import datetime

from tradewind import DAG, Param, TaskGroup
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator

with DAG(
    dag_id="dash_pipeline",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["etl", "dash"],
    description='Loads things <script>alert("description")</script>',
    doc_md="# Pipeline docs\n\n**bold** <script>alert('doc')</script> <img src=x onerror=alert(1)>",
    params={"rows": Param(10, type="integer", minimum=1), "note": "<b>hi</b>"},
    default_args={"owner": "alice", "retries": 1},
) as dag:
    extract = BashOperator(task_id="extract", bash_command="echo {{ params.rows }}")
    with TaskGroup("transform", tooltip="clean and join") as transform:
        clean = EmptyOperator(task_id="clean")
        join = EmptyOperator(task_id="join")
        clean >> join
    load = EmptyOperator(task_id="load")
    extract >> transform >> load
