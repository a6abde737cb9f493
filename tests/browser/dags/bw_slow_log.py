"""A task that writes a log line every half second, for following a growing log."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators.bash import BashOperator

with DAG(dag_id="bw_slow_log", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    BashOperator(
        task_id="talk",
        bash_command='for i in $(seq 1 16); do echo "progress line $i"; sleep 0.5; done',
    )
