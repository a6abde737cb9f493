"""Branching: a BranchPythonOperator and an ``@task.branch`` pick one path each; the paths
join again in EmptyOperators with ``none_failed_min_one_success``, as Airflow's
``example_branch_operator`` does."""

import datetime
import random

from tradewind import DAG, task
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.python import BranchPythonOperator
from tradewind.utils.trigger_rule import TriggerRule

OPTIONS = ["branch_a", "branch_b", "branch_c"]


def _choose_by_weekday(logical_date=None, **_):
    """Weekend runs take branch_c; weekdays branch_a or branch_b at random."""
    if logical_date is not None and logical_date.weekday() >= 5:
        return "branch_c"
    return random.choice(OPTIONS[:2])


with DAG(
    dag_id="example_branch",
    schedule="@daily",
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    catchup=False,
    tags=["example", "branching"],
    default_args={"owner": "tradewind"},
) as dag:
    run_this_first = EmptyOperator(task_id="run_this_first")

    branching = BranchPythonOperator(task_id="branching", python_callable=_choose_by_weekday)
    run_this_first >> branching

    join = EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    for option in OPTIONS:
        chosen = EmptyOperator(task_id=option)
        follow = EmptyOperator(task_id=f"follow_{option}")
        branching >> chosen >> follow >> join

    @task.branch(task_id="branch_on_size")
    def branch_on_size(size: int = 7):
        """The TaskFlow way: return the task id (or ids) to follow."""
        return "small_batch" if size < 10 else "large_batch"

    small = EmptyOperator(task_id="small_batch")
    large = EmptyOperator(task_id="large_batch")
    finish = EmptyOperator(task_id="finish", trigger_rule="none_failed_min_one_success")

    join >> branch_on_size() >> [small, large] >> finish
