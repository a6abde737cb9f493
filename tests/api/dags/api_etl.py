"""A DAG with params, a chain and a mapped task: what the REST API tests trigger and clear."""

from datetime import datetime

from tradewind import DAG, Param
from tradewind.operators.empty import EmptyOperator

with DAG(
    dag_id="api_etl",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["etl", "api"],
    params={"rows": Param(10, type="integer", minimum=1)},
    default_args={"retries": 1},
) as dag:
    extract = EmptyOperator(task_id="extract", queue="high_cpu")
    transform = EmptyOperator(task_id="transform", pool="api_pool")
    load = EmptyOperator(task_id="load")
    fan = EmptyOperator.partial(task_id="fan").expand(doc_md=["a", "b", "c"])
    extract >> transform >> load >> fan
