"""Fan out per region, skip what has no data, join, publish and clean up."""

# A DAG as Airflow users write it; only the imports are rewritten.
from datetime import datetime

from tradewind import DAG
from tradewind.exceptions import AirflowSkipException
from tradewind.models.baseoperator import chain, cross_downstream
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.python import BranchPythonOperator, PythonOperator
from tradewind.utils.trigger_rule import TriggerRule

REGIONS = ["eu", "us", "apac"]


def choose_regions(**kwargs):
    # a real DAG would look at the calendar; every region but apac reports today
    return [f"region_{r}" for r in REGIONS if r != "apac"]


def check_region(region):
    if region == "us":
        raise AirflowSkipException(f"no data for {region} today")
    return f"{region} ok"


with DAG(
    dag_id="report_fanout",
    start_date=datetime(2023, 1, 1),
    schedule_interval="@daily",
    catchup=False,
    default_args={"owner": "analytics", "retries": 0},
    tags=["reports"],
) as dag:
    start = EmptyOperator(task_id="start")
    pick_regions = BranchPythonOperator(task_id="pick_regions", python_callable=choose_regions)
    regions = [EmptyOperator(task_id=f"region_{r}") for r in REGIONS]
    checks = [
        PythonOperator(task_id=f"check_{r}", python_callable=check_region, op_kwargs={"region": r})
        for r in REGIONS
    ]
    join = EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    publish = [EmptyOperator(task_id="publish_dashboard"), EmptyOperator(task_id="publish_email")]
    archive = [EmptyOperator(task_id="archive_raw"), EmptyOperator(task_id="archive_clean")]
    cleanup = [EmptyOperator(task_id=f"cleanup_{i}") for i in range(3)]

    chain(start, pick_regions, regions, checks, join)
    join >> publish
    cross_downstream(publish, archive)
    archive >> cleanup[0]
    chain(*cleanup)
