"""TaskGroups: tasks grouped (and nested) under a group id, shown collapsed in the graph;
dependencies can be set on whole groups."""

from datetime import datetime

from tradewind import DAG, TaskGroup, task_group
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator

with DAG(
    dag_id="example_task_group",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "task_group"],
) as dag:
    start = EmptyOperator(task_id="start")

    with TaskGroup("section_1", tooltip="Tasks for section_1") as section_1:
        task_1 = EmptyOperator(task_id="task_1")
        task_2 = BashOperator(task_id="task_2", bash_command="echo 1")
        task_3 = EmptyOperator(task_id="task_3")
        task_1 >> [task_2, task_3]

    with TaskGroup("section_2", tooltip="Tasks for section_2") as section_2:
        task_1 = EmptyOperator(task_id="task_1")

        with TaskGroup("inner_section_2", tooltip="Tasks for inner_section2") as inner_section_2:
            task_2 = BashOperator(task_id="task_2", bash_command="echo 1")
            task_3 = EmptyOperator(task_id="task_3")
            task_4 = EmptyOperator(task_id="task_4")
            [task_2, task_3] >> task_4

    @task_group(group_id="decorated_group")
    def decorated_group():
        EmptyOperator(task_id="first") >> EmptyOperator(task_id="second")

    end = EmptyOperator(task_id="end")

    start >> section_1 >> section_2 >> decorated_group() >> end
