"""Templating: ds, params, var.value, macros, .sh files from the DAG folder and the search path."""

import os
from datetime import datetime

from tradewind import DAG
from tradewind.operators import BashOperator, PythonOperator

HERE = os.path.dirname(os.path.abspath(__file__))


def _show(text, when):
    return {"text": text, "when": when}


with DAG(
    "rt_templates",
    start_date=datetime(2024, 1, 1),
    schedule="@daily",
    params={"name": "world"},
    template_searchpath=[os.path.join(HERE, "extra_templates")],
    user_defined_macros={"shout": lambda s: s.upper()},
):
    BashOperator(
        task_id="inline",
        bash_command=(
            "echo {{ ds }} {{ params.name }} {{ var.value.greeting }} "
            "{{ macros.ds_add(ds, 1) }} {{ ds_nodash }} {{ shout('hey') }} {{ run_id }}"
        ),
    )
    BashOperator(task_id="from_dag_folder", bash_command="scripts/hello.sh")
    BashOperator(task_id="from_searchpath", bash_command="extra.sh")
    PythonOperator(
        task_id="python_kwargs",
        python_callable=_show,
        op_kwargs={"text": "{{ task.task_id }}@{{ ts }}", "when": "{{ data_interval_start | ds }}"},
    )
