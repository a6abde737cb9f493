"""Trigger rules: what a task waits for among its upstreams. One task fails on purpose (its
retries off); the others show which rules still run, skip or become upstream_failed."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator
from tradewind.utils.trigger_rule import TriggerRule

with DAG(
    dag_id="example_trigger_rules",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "trigger_rules"],
    default_args={"retries": 0},
) as dag:
    succeeds = EmptyOperator(task_id="succeeds")
    fails = BashOperator(task_id="fails", bash_command="echo failing on purpose; exit 1")
    skips = BashOperator(task_id="skips", bash_command="exit 99")
    upstreams = [succeeds, fails, skips]

    # every one of these waits for the same three upstreams
    rules = {
        "all_success_task": TriggerRule.ALL_SUCCESS,  # -> upstream_failed
        "all_done_task": TriggerRule.ALL_DONE,  # -> success
        "one_success_task": TriggerRule.ONE_SUCCESS,  # -> success
        "one_failed_task": TriggerRule.ONE_FAILED,  # -> success
        "none_failed_task": TriggerRule.NONE_FAILED,  # -> upstream_failed
        "none_skipped_task": TriggerRule.NONE_SKIPPED,  # -> skipped
        "always_task": TriggerRule.ALWAYS,  # -> success
    }
    # the run itself succeeds: its only leaf waits for everything and ignores failures
    cleanup = EmptyOperator(task_id="cleanup", trigger_rule=TriggerRule.ALL_DONE)
    for task_id, rule in rules.items():
        upstreams >> EmptyOperator(task_id=task_id, trigger_rule=rule) >> cleanup
