"""Fails until the test creates $TRADEWIND_HOME/flag; cleared, it runs again and succeeds."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators.bash import BashOperator

with DAG(dag_id="bw_flaky", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    BashOperator(
        task_id="flaky",
        bash_command='test -f "$TRADEWIND_HOME/flag" && echo "flag found" || '
        '{ echo "no flag yet"; exit 1; }',
    )
