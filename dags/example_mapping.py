"""Dynamic task mapping: one task instance per element, with the length known at parse time
(``expand`` over a literal list) or only at run time (``expand`` over an upstream's result)."""

from datetime import datetime

from tradewind import DAG, task
from tradewind.operators.bash import BashOperator

with DAG(
    dag_id="example_mapping",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "mapping"],
) as dag:

    @task
    def add_one(x: int):
        return x + 1

    @task
    def sum_it(values):
        total = sum(values)
        print(f"Total was {total}")
        return total

    added = add_one.expand(x=[1, 2, 3])
    sum_it(added)

    @task
    def list_files():
        return ["a.csv", "b.csv"]

    @task
    def size_of(name: str, prefix: str):
        return f"{prefix}/{name}"

    size_of.partial(prefix="/data").expand(name=list_files())

    BashOperator.partial(task_id="greet", do_xcom_push=False).expand(
        bash_command=["echo hello", "echo bonjour"]
    )
