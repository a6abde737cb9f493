"""
Example DAG demonstrating the usage of labels with different branches.
"""

# Airflow's airflow/example_dags/example_branch_labels.py (Apache-2.0); only the imports are
# rewritten.
import pendulum

from tradewind import DAG
from tradewind.operators.empty import EmptyOperator
from tradewind.utils.edgemodifier import Label

with DAG(
    "example_branch_labels",
    schedule_interval="@daily",
    start_date=pendulum.datetime(2021, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    ingest = EmptyOperator(task_id="ingest")
    analyse = EmptyOperator(task_id="analyze")
    check = EmptyOperator(task_id="check_integrity")
    describe = EmptyOperator(task_id="describe_integrity")
    error = EmptyOperator(task_id="email_error")
    save = EmptyOperator(task_id="save")
    report = EmptyOperator(task_id="report")

    ingest >> analyse >> check
    check >> Label("No errors") >> save >> report
    check >> Label("Errors found") >> describe >> error >> report
