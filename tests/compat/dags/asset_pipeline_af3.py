"""An Airflow 3 style DAG: `airflow.sdk` imports, `schedule=` only, assets, `logical_date`."""

# A DAG as Airflow 3 users write it; only the imports are rewritten
# (`from airflow.sdk import ...` -> `from tradewind import ...`,
# `airflow.providers.standard.operators.bash` -> `tradewind.operators.bash`).
from datetime import UTC, datetime

from tradewind import DAG, Asset, dag, get_current_context, task
from tradewind.operators.bash import BashOperator

raw_orders = Asset("s3://warehouse/raw/orders.parquet")
clean_orders = Asset("s3://warehouse/clean/orders.parquet")

with DAG(
    dag_id="asset_producer_af3",
    schedule="@daily",
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    catchup=False,
    tags=["airflow3"],
):

    @task(outlets=[raw_orders])
    def fetch(**context):
        return context["logical_date"].isoformat()

    @task
    def check(stamp):
        context = get_current_context()
        assert stamp == context["logical_date"].isoformat()
        return context["ds"]

    show = BashOperator(task_id="show", bash_command="echo {{ logical_date | ds }}")
    check(fetch()) >> show


@dag(schedule=raw_orders, start_date=datetime(2024, 1, 1, tzinfo=UTC), catchup=False)
def asset_consumer_af3():
    @task(outlets=[clean_orders])
    def clean(triggering_asset_events=None):
        return sorted((triggering_asset_events or {}).keys())

    clean()


asset_consumer_af3()
