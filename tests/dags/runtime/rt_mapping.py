"""Dynamic task mapping over a literal list, an upstream list, and an empty list."""

from datetime import datetime

from tradewind import dag, task


@dag(dag_id="rt_mapping", start_date=datetime(2024, 1, 1), schedule=None)
def rt_mapping():
    @task
    def add_one(x: int):
        return x + 1

    @task
    def make_list():
        return [10, 20, 30]

    @task
    def double(x: int):
        return x * 2

    @task
    def total(values):
        return sum(values)

    @task
    def nothing():
        return []

    @task
    def never(x):
        return x

    total(add_one.expand(x=[1, 2, 3]))
    total.override(task_id="total_doubled")(double.expand(x=make_list()))
    never.expand(x=nothing())


rt_mapping()
