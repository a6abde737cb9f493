"""Airflow's TaskFlow tutorial ETL: return values flow between tasks as XComs, and
``multiple_outputs=True`` splits a dict into one XCom per key."""

import datetime
import json

from tradewind import dag, task


@dag(
    schedule=None,
    start_date=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC),
    catchup=False,
    tags=["example", "taskflow"],
)
def example_taskflow():
    """### TaskFlow API ETL

    Extract order data, total it, and print the total.
    """

    @task()
    def extract():
        data_string = '{"1001": 301.27, "1002": 433.21, "1003": 502.22}'
        order_data_dict = json.loads(data_string)
        return order_data_dict

    @task(multiple_outputs=True)
    def transform(order_data_dict: dict):
        total_order_value = 0
        for value in order_data_dict.values():
            total_order_value += value
        return {"total_order_value": total_order_value, "order_count": len(order_data_dict)}

    @task()
    def load(total_order_value: float, order_count: int):
        print(f"Total order value is: {total_order_value:.2f} over {order_count} orders")
        return round(total_order_value, 2)

    order_data = extract()
    order_summary = transform(order_data)
    load(order_summary["total_order_value"], order_summary["order_count"])


example_taskflow()
