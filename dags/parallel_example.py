"""The seed notes' parallel example: two extract/load branches that run side by side.

Ported from Airflow by rewriting the imports only (run it on the local executor or a worker
fleet to see extract_a and extract_c run at the same time).
"""

from datetime import datetime

from tradewind import DAG
from tradewind.operators.bash import BashOperator

with DAG(
    dag_id="parallel_example",
    schedule="@daily",
    start_date=datetime(2024, 5, 1),
    catchup=False,
) as dag:
    extract_a = BashOperator(task_id="extract_a", bash_command="sleep 1")

    load_a = BashOperator(task_id="load_a", bash_command="sleep 1")

    extract_c = BashOperator(task_id="extract_c", bash_command="sleep 3")

    load_c = BashOperator(task_id="load_c", bash_command="sleep 2")

    transform = BashOperator(task_id="transform", bash_command="sleep 2")

    extract_a >> load_a
    extract_c >> load_c
    [load_a, load_c] >> transform
