"""Orders pipeline: TaskFlow and classic operators mixed, mapping, groups and labels."""

# A DAG as Airflow users write it; only the imports are rewritten.
from datetime import timedelta

import pendulum

from tradewind.decorators import dag, task, task_group
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.python import PythonOperator, get_current_context
from tradewind.utils.edgemodifier import Label
from tradewind.utils.task_group import TaskGroup


def _list_files():
    return ["a.csv", "bb.csv", "ccc.csv", "dddddd.csv"]


def _count(files):
    # with render_template_as_native_obj the templated string arrives as a real list
    assert isinstance(files, list), type(files)
    return len(files)


@dag(
    dag_id="orders_taskflow",
    schedule=None,
    start_date=pendulum.datetime(2023, 1, 1, tz="UTC"),
    catchup=False,
    tags=["taskflow", "orders"],
    render_template_as_native_obj=True,
    default_args={"owner": "orders", "retries": 2, "retry_delay": timedelta(seconds=1)},
    params={"multiplier": 2},
)
def orders_pipeline():
    list_files = PythonOperator(task_id="list_files", python_callable=_list_files)

    count_files = PythonOperator(
        task_id="count_files",
        python_callable=_count,
        op_kwargs={"files": "{{ ti.xcom_pull(task_ids='list_files') }}"},
    )
    list_files >> count_files

    @task
    def file_size(name: str) -> int:
        return len(name)

    sizes = file_size.expand(name=list_files.output)

    @task_group(group_id="clean")
    def clean(values):
        @task
        def drop_small(values):
            return [v for v in values if v > 5]

        @task
        def total(kept):
            return sum(kept)

        return total(drop_small(values))

    total = clean(sizes)

    @task
    def report(total):
        context = get_current_context()
        return {
            "total": total * context["params"]["multiplier"],
            "task": context["ti"].task_id,
        }

    summary = report(total)

    @task
    def make_commands():
        return [{"bash_command": "echo one"}, {"bash_command": "echo $WHO", "env": {"WHO": "two"}}]

    announce = BashOperator.partial(task_id="announce").expand_kwargs(make_commands())

    with TaskGroup("publish", prefix_group_id=False) as publish:
        with TaskGroup("stores", prefix_group_id=False):
            to_s3 = EmptyOperator(task_id="to_s3")
            to_db = EmptyOperator(task_id="to_db")
        notify = BashOperator(task_id="notify", bash_command="echo published")
        [to_s3, to_db] >> notify

    summary >> Label("numbers ready") >> publish
    summary >> announce


dag_obj = orders_pipeline()
