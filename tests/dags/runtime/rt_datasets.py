"""A producer with an outlet and a consumer scheduled on that dataset."""

from datetime import datetime

from tradewind import DAG, Dataset
from tradewind.operators import EmptyOperator, PythonOperator

ORDERS = Dataset("file:///tmp/rt/orders.csv")

with DAG("rt_producer", start_date=datetime(2024, 1, 1), schedule=None):
    EmptyOperator(task_id="write_orders", outlets=[ORDERS])
    EmptyOperator(task_id="no_outlet")


def _events(triggering_dataset_events):
    return {uri: len(events) for uri, events in triggering_dataset_events.items()}


with DAG("rt_consumer", start_date=datetime(2024, 1, 1), schedule=[ORDERS]):
    PythonOperator(task_id="read_orders", python_callable=_events)
