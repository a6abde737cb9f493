"""Trigger rules end to end: one_failed, all_done, none_failed_min_one_success."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import BashOperator, EmptyOperator

with DAG("rt_trigger_rules", start_date=datetime(2024, 1, 1), schedule=None):
    boom = BashOperator(task_id="boom", bash_command="exit 1")
    ok = EmptyOperator(task_id="ok")
    on_fail = EmptyOperator(task_id="on_fail", trigger_rule="one_failed")
    cleanup = EmptyOperator(task_id="cleanup", trigger_rule="all_done")
    after_ok = EmptyOperator(task_id="after_ok", trigger_rule="none_failed_min_one_success")
    plain = EmptyOperator(task_id="plain")
    boom >> on_fail
    [boom, ok] >> cleanup
    [boom, ok] >> after_ok
    boom >> plain
