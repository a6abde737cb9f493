"""Example DAG demonstrating the usage of the ``@task.branch`` TaskFlow API decorator."""

# Airflow 2.x's airflow/example_dags/example_branch_operator_decorator.py (Apache-2.0); only the
# imports are rewritten.
from __future__ import annotations

import random

import pendulum

from tradewind.decorators import task
from tradewind.models.dag import DAG
from tradewind.operators.empty import EmptyOperator
from tradewind.utils.edgemodifier import Label
from tradewind.utils.trigger_rule import TriggerRule

with DAG(
    dag_id="example_branch_python_operator_decorator",
    start_date=pendulum.datetime(2021, 1, 1, tz="UTC"),
    catchup=False,
    schedule="@daily",
    tags=["example", "example2"],
) as dag:
    run_this_first = EmptyOperator(task_id="run_this_first")

    options = ["branch_a", "branch_b", "branch_c", "branch_d"]

    @task.branch(task_id="branching")
    def random_choice(choices: list[str]) -> str:
        return random.choice(choices)

    random_choice_instance = random_choice(choices=options)

    run_this_first >> random_choice_instance

    join = EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)

    for option in options:

        @task(task_id=option)
        def some_task():
            print("doing something in Python")

        t = some_task()

        empty = EmptyOperator(task_id=f"follow_{option}")

        # Label is optional here, but it can help identify more complex branches
        random_choice_instance >> Label(option) >> t >> empty >> join
