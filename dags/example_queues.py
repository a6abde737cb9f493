"""Queue routing, as the seed notes' Celery set-up: heavy tasks go to the ``high_cpu`` queue,
served only by workers started with ``tradewind worker -q high_cpu``; the rest use the default
queue."""

from datetime import datetime

from tradewind import DAG, task
from tradewind.operators.bash import BashOperator

with DAG(
    dag_id="example_queues",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "queues"],
) as dag:
    fetch = BashOperator(task_id="fetch", bash_command="echo fetching")

    crunch = BashOperator(
        task_id="crunch_numbers",
        bash_command="echo crunching on $(hostname)",
        queue="high_cpu",
    )

    @task(queue="high_cpu")
    def train_model():
        return sum(i * i for i in range(100_000))

    @task
    def report(score):
        print(f"model score: {score}")

    fetch >> crunch
    report(train_model()) << fetch
