"""A consumer scheduled on two datasets, each updated by its own producer."""

from datetime import datetime

from tradewind import DAG, Dataset
from tradewind.operators.empty import EmptyOperator

ORDERS = Dataset("file:///data/orders.csv")
CUSTOMERS = Dataset("file:///data/customers.csv")

with DAG("sched_produce_orders", start_date=datetime(2024, 1, 1), schedule=None):
    EmptyOperator(task_id="write_orders", outlets=[ORDERS])

with DAG("sched_produce_customers", start_date=datetime(2024, 1, 1), schedule=None):
    EmptyOperator(task_id="write_customers", outlets=[CUSTOMERS])

with DAG(
    "sched_consume",
    start_date=datetime(2024, 1, 1),
    schedule=[ORDERS, CUSTOMERS],
    is_paused_upon_creation=False,
):
    EmptyOperator(task_id="report")
