"""DAGs as Airflow 2.7+ users write setup and teardown tasks (only the imports name Tradewind):
the work fails and the teardown still runs; a teardown fails and the run still succeeds."""

import pendulum

from tradewind import DAG
from tradewind.decorators import setup, task, teardown
from tradewind.operators.bash import BashOperator

with DAG(
    "setup_teardown_failing_work",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    schedule=None,
):
    create = BashOperator(task_id="create_cluster", bash_command="echo create").as_setup()
    work = BashOperator(task_id="work", bash_command="exit 1")
    delete = BashOperator(task_id="delete_cluster", bash_command="echo delete").as_teardown(
        setups=create
    )
    create >> work >> delete

with DAG(
    "setup_teardown_failing_teardown",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    schedule=None,
):

    @setup
    def open_session() -> str:
        return "session-1"

    @task
    def use(session: str) -> str:
        return session.upper()

    @teardown
    def close_session(session: str) -> None:
        raise RuntimeError(f"cannot close {session}")

    session = open_session()
    with close_session(session):
        use(session)
