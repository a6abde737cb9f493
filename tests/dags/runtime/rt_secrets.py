"""Secrets are masked in the task log and in the rendered template fields."""

from datetime import datetime

from tradewind import DAG, Variable
from tradewind.operators import BashOperator, PythonOperator


def _leak():
    token = Variable.get("api_token")
    print(f"the token is {token}")
    return "done"


with DAG("rt_secrets", start_date=datetime(2024, 1, 1), schedule=None):
    leak = PythonOperator(task_id="leak", python_callable=_leak)
    echo = BashOperator(task_id="echo", bash_command="echo token={{ var.value.api_token }}")
    leak >> echo
