"""The seed notes' dataset producer: its task updates ``/tmp/my_file.txt`` and declares it as an
outlet, so every successful run records a dataset event that triggers ``consumer``."""

from datetime import datetime

from tradewind import DAG, Dataset
from tradewind.decorators import task

my_file = Dataset("/tmp/my_file.txt")

with DAG(
    dag_id="producer",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "datasets"],
):

    @task(outlets=[my_file])
    def update_dataset():
        with open(my_file.uri, "a+") as f:
            f.write("producer update\n")

    update_dataset()
