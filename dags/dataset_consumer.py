"""The seed notes' dataset consumer: scheduled on ``/tmp/my_file.txt``, it runs once the producer
has updated the file (a DAG on several datasets waits for all of them)."""

from datetime import datetime

from tradewind import DAG, Dataset
from tradewind.decorators import task

my_file = Dataset("/tmp/my_file.txt")

with DAG(
    dag_id="consumer",
    schedule=[my_file],
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "datasets"],
):

    @task
    def read_dataset():
        with open(my_file.uri) as f:
            print(f.read())

    read_dataset()
