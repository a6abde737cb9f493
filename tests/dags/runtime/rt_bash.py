"""BashOperator: env, append_env, cwd, exit code 99 skips, other non-zero codes fail."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import BashOperator

with DAG("rt_bash", start_date=datetime(2024, 1, 1), schedule=None):
    BashOperator(
        task_id="env_only", bash_command='echo "${FOO}-${HOME:-nohome}"', env={"FOO": "bar"}
    )
    BashOperator(
        task_id="append_env",
        bash_command='echo "${FOO}-${RT_OUTER}"',
        env={"FOO": "baz"},
        append_env=True,
    )
    BashOperator(task_id="in_cwd", bash_command="pwd", cwd="/tmp")
    BashOperator(task_id="multi_line", bash_command="echo first; echo second; echo last")
    BashOperator(task_id="skip_99", bash_command="exit 99")
    BashOperator(task_id="fail_3", bash_command="echo oops; exit 3")
