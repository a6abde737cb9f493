"""E-mail on retry and on failure, from default_args as Airflow users set them."""

from datetime import datetime, timedelta

from tradewind import DAG
from tradewind.operators import BashOperator

with DAG(
    "rt_email",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    default_args={
        "email": ["ops@tradewind.test"],
        "email_on_failure": True,
        "email_on_retry": True,
        "retries": 1,
        "retry_delay": timedelta(seconds=0.1),
    },
):
    BashOperator(task_id="doomed", bash_command="echo failing; exit 2")
    BashOperator(task_id="quiet", bash_command="exit 2", email_on_failure=False, retries=0)
