"""Task groups: prefixed ids, dependencies on a whole group."""

from datetime import datetime

from tradewind import DAG, TaskGroup
from tradewind.operators import EmptyOperator, PythonOperator

with DAG("rt_groups", start_date=datetime(2024, 1, 1), schedule=None):
    start = EmptyOperator(task_id="start")
    with TaskGroup("section") as section:
        one = PythonOperator(task_id="one", python_callable=lambda: "one")
        two = PythonOperator(task_id="two", python_callable=lambda: "two")
        one >> two
    end = PythonOperator(
        task_id="end", python_callable=lambda ti: ti.xcom_pull(task_ids="section.two")
    )
    start >> section >> end
