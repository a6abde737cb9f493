"""Example DAG demonstrating the usage of the BashOperator."""

# Airflow 2.0's airflow/example_dags/example_bash_operator.py (Apache-2.0), with the
# `this_will_skip` task of later 2.x releases; only the imports are rewritten.
from datetime import timedelta

from tradewind import DAG
from tradewind.operators.bash import BashOperator
from tradewind.operators.dummy_operator import DummyOperator
from tradewind.utils.dates import days_ago

args = {
    "owner": "airflow",
}

dag = DAG(
    dag_id="example_bash_operator",
    default_args=args,
    schedule_interval="0 0 * * *",
    start_date=days_ago(2),
    dagrun_timeout=timedelta(minutes=60),
    tags=["example", "example2"],
    params={"example_key": "example_value"},
)

run_this_last = DummyOperator(
    task_id="run_this_last",
    dag=dag,
)

# [START howto_operator_bash]
run_this = BashOperator(
    task_id="run_after_loop",
    bash_command="echo 1",
    dag=dag,
)
# [END howto_operator_bash]

run_this >> run_this_last

for i in range(3):
    task = BashOperator(
        task_id="runme_" + str(i),
        bash_command='echo "{{ task_instance_key_str }}" && sleep 1',
        dag=dag,
    )
    task >> run_this

# [START howto_operator_bash_template]
also_run_this = BashOperator(
    task_id="also_run_this",
    bash_command='echo "run_id={{ run_id }} | dag_run={{ dag_run }}"',
    dag=dag,
)
# [END howto_operator_bash_template]
also_run_this >> run_this_last

# [START howto_operator_bash_skip]
this_will_skip = BashOperator(
    task_id="this_will_skip",
    bash_command='echo "hello world"; exit 99;',
    dag=dag,
)
# [END howto_operator_bash_skip]
this_will_skip >> run_this_last

if __name__ == "__main__":
    dag.cli()
