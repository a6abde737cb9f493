"""Classic operators mapped with partial/expand and expand_kwargs over upstream lists, inside
nested task groups, a downstream task that receives the mapped results, and an empty map."""

from datetime import datetime

from tradewind import DAG, task, task_group
from tradewind.operators import BashOperator, PythonOperator
from tradewind.utils.task_group import TaskGroup


def _scale(x, factor):
    return x * factor


with DAG("au_mapping", start_date=datetime(2024, 1, 1), schedule=None):

    @task
    def numbers():
        return [1, 2, 3]

    @task
    def kwargs_list():
        return [{"op_kwargs": {"x": 5, "factor": 2}}, {"op_kwargs": {"x": 7, "factor": 3}}]

    @task
    def nothing():
        return []

    @task
    def collect(echoed, scaled):
        return {"echoed": list(echoed), "scaled": list(scaled)}

    with TaskGroup("outer") as outer:
        echo = BashOperator.partial(task_id="echo", do_xcom_push=True).expand(
            bash_command=numbers().map(lambda n: f"echo {n * 100}")
        )

        @task_group
        def inner():
            return PythonOperator.partial(task_id="scale", python_callable=_scale).expand_kwargs(
                kwargs_list()
            )

        scaled = inner()

    literal = PythonOperator.partial(task_id="literal", python_callable=lambda x: x).expand(
        op_args=[[1], [2]]
    )
    empty = BashOperator.partial(task_id="never").expand(bash_command=nothing())
    outer >> literal
    collect(echo.output, scaled.output)
