"""
# Legacy ETL

An extract-transform-load DAG written the way Airflow 1.10 / early 2.x users wrote them:
`dag=dag` on every operator, `provide_context=True`, `templates_dict`, and a `default_args`
dict carrying owner, e-mail, retries, SLA, pool, queue and a failure callback.
"""

# A DAG as Airflow users write it; only the imports are rewritten.
import os
from datetime import timedelta

from tradewind import DAG
from tradewind.operators.bash_operator import BashOperator
from tradewind.operators.python_operator import PythonOperator
from tradewind.utils.dates import days_ago


def notify_failure(context):
    path = os.environ.get("COMPAT_CALLBACK_FILE")
    if path:
        with open(path, "a") as handle:
            handle.write(f"failure {context['task_instance'].task_id}\n")


def sla_missed(dag, task_list, blocking_task_list, slas, blocking_tis):
    print(f"SLA missed on DAG {dag.dag_id}: {task_list}")


default_args = {
    "owner": "data-eng",
    "depends_on_past": False,
    "start_date": days_ago(2),
    "email": ["data-eng@example.com"],
    "email_on_failure": False,
    "email_on_retry": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
    "on_failure_callback": notify_failure,
    "sla": timedelta(hours=2),
    "queue": "default",
    "pool": "default_pool",
    "priority_weight": 10,
    "executor_config": {"KubernetesExecutor": {"request_cpu": "1"}},
}

dag = DAG(
    "legacy_etl",
    default_args=default_args,
    description="Extract, transform and load, 1.10 style",
    schedule_interval=None,
    sla_miss_callback=sla_missed,
    access_control={"data-eng": {"can_read", "can_edit"}},
    owner_links={"data-eng": "https://example.com/data-eng"},
    tags=["legacy", "etl"],
    params={"table": "orders"},
)
dag.doc_md = __doc__


def extract(**context):
    ti = context["ti"]
    conf = context["dag_run"].conf or {}
    rows = conf.get("rows", [1, 2, 3])
    ti.xcom_push(key="rows", value=rows)
    return len(rows)


def transform(ds, ti, templates_dict, **kwargs):
    rows = ti.xcom_pull(task_ids="extract", key="rows")
    factor = int(templates_dict["factor"])
    return {"ds": ds, "table": templates_dict["table"], "total": sum(rows) * factor}


extract_task = PythonOperator(
    task_id="extract",
    python_callable=extract,
    provide_context=True,
    dag=dag,
)

transform_task = PythonOperator(
    task_id="transform",
    python_callable=transform,
    provide_context=True,
    templates_dict={
        "factor": "{{ var.value.get('etl_factor', '10') }}",
        "table": "{{ params.table }}",
    },
    dag=dag,
)
transform_task.doc_md = "Multiplies the extracted rows by the `etl_factor` Variable (default 10)."

load_task = BashOperator(
    task_id="load",
    bash_command=(
        "echo \"loaded {{ ti.xcom_pull(task_ids='transform')['total'] }} into {{ params.table }}"
        ' for {{ ds }} with conf {{ dag_run.conf }}"'
    ),
    dag=dag,
)

extract_task >> transform_task >> load_task
