"""Example DAG demonstrating the usage of the BranchPythonOperator."""

# Airflow 2.3's airflow/example_dags/example_branch_operator.py (Apache-2.0); only the imports
# are rewritten.
import random

import pendulum

from tradewind.models import DAG
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.python import BranchPythonOperator
from tradewind.utils.edgemodifier import Label
from tradewind.utils.trigger_rule import TriggerRule

with DAG(
    dag_id="example_branch_operator",
    start_date=pendulum.datetime(2021, 1, 1, tz="UTC"),
    catchup=False,
    schedule_interval="@daily",
    tags=["example", "example2"],
) as dag:
    run_this_first = EmptyOperator(
        task_id="run_this_first",
    )

    options = ["branch_a", "branch_b", "branch_c", "branch_d"]

    branching = BranchPythonOperator(
        task_id="branching",
        python_callable=lambda: random.choice(options),
    )
    run_this_first >> branching

    join = EmptyOperator(
        task_id="join",
        trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
    )

    for option in options:
        t = EmptyOperator(
            task_id=option,
        )

        empty_follow = EmptyOperator(
            task_id="follow_" + option,
        )

        # Label is optional here, but it can help identify more complex branches
        branching >> Label(option) >> t >> empty_follow >> join
