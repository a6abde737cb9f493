"""XCom push/pull between PythonOperators, with one id and a list of ids."""

from datetime import datetime

from tradewind import DAG
from tradewind.operators import PythonOperator


def _first():
    return 1


def _second(ti):
    ti.xcom_push(key="extra", value={"word": "hello"})
    return 2


def _collect(ti):
    return {
        "both": ti.xcom_pull(task_ids=["first", "second"]),
        "one": ti.xcom_pull(task_ids="first"),
        "extra": ti.xcom_pull(task_ids="second", key="extra"),
        "missing": ti.xcom_pull(task_ids="nope", default="dflt"),
    }


with DAG("rt_xcom", start_date=datetime(2024, 1, 1), schedule=None):
    first = PythonOperator(task_id="first", python_callable=_first)
    second = PythonOperator(task_id="second", python_callable=_second)
    collect = PythonOperator(task_id="collect", python_callable=_collect)
    first >> second >> collect
