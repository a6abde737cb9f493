"""TaskFlow: results passed between @task functions, multiple_outputs."""

from datetime import datetime

from tradewind import dag, task


@dag(dag_id="rt_taskflow", start_date=datetime(2024, 1, 1), schedule=None)
def rt_taskflow():
    @task
    def extract():
        return {"a": 1, "b": 2}

    @task(multiple_outputs=True)
    def split(data: dict):
        return {"left": data["a"] * 10, "right": data["b"] * 10}

    @task
    def total(left: int, right: int):
        return left + right

    parts = split(extract())
    total(parts["left"], parts["right"])


rt_taskflow()
