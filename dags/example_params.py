"""DAG params: typed, validated run configuration with defaults, overridable per run with
``tradewind dags trigger example_params -c '{"rows": 5}'``; tasks read them from templates and
from the context."""

from datetime import datetime

from tradewind import DAG, Param, task
from tradewind.operators.bash import BashOperator

with DAG(
    dag_id="example_params",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "params"],
    params={
        "rows": Param(3, type="integer", minimum=1, maximum=100, description="Rows to make."),
        "greeting": Param("hello", type="string", enum=["hello", "hola", "annyeong"]),
        "dry_run": Param(False, type="boolean"),
    },
) as dag:
    echo = BashOperator(
        task_id="echo_params",
        bash_command=(
            "echo '{{ params.greeting }}: {{ params.rows }} rows, dry run {{ params.dry_run }}'"
        ),
    )

    @task
    def make_rows(params=None):
        rows = [f"{params['greeting']} #{i}" for i in range(params["rows"])]
        return rows if not params["dry_run"] else []

    echo >> make_rows()
