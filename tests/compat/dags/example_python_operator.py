"""Example DAG demonstrating the usage of the PythonOperator."""

# Airflow 2.0's airflow/example_dags/example_python_operator.py (Apache-2.0); only the imports
# are rewritten. Its last task (a PythonVirtualenvOperator, which Tradewind does not have) is
# left out.
import time
from pprint import pprint

from tradewind import DAG
from tradewind.operators.python import PythonOperator
from tradewind.utils.dates import days_ago

args = {
    "owner": "airflow",
}

with DAG(
    dag_id="example_python_operator",
    default_args=args,
    schedule_interval=None,
    start_date=days_ago(2),
    tags=["example"],
) as dag:
    # [START howto_operator_python]
    def print_context(ds, **kwargs):
        """Print the Airflow context and ds variable from the context."""
        pprint(kwargs)
        print(ds)
        return "Whatever you return gets printed in the logs"

    run_this = PythonOperator(
        task_id="print_the_context",
        python_callable=print_context,
    )
    # [END howto_operator_python]

    # [START howto_operator_python_kwargs]
    def my_sleeping_function(random_base):
        """This is a function that will run within the DAG execution"""
        time.sleep(random_base)

    # Generate 5 sleeping tasks, sleeping from 0.0 to 0.4 seconds respectively
    for i in range(5):
        task = PythonOperator(
            task_id="sleep_for_" + str(i),
            python_callable=my_sleeping_function,
            op_kwargs={"random_base": float(i) / 10},
        )

        run_this >> task
    # [END howto_operator_python_kwargs]
