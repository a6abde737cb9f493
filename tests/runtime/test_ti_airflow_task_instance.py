"""Airflow 2's task-instance API as a running task sees it (``ti.dag_run``, ``ti.duration``,
``ti.pid``, previous runs, ``render_templates``), through ``dag.test()``."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from tradewind.decorators import task
from tradewind.operators.python import PythonOperator
from tradewind.sdk.dag import DAG

START = datetime(2024, 1, 1, tzinfo=UTC)


def test_ti_dag_run_is_the_contexts_run_and_duration_and_pid_follow_the_try(sqlite_metastore):
    seen: dict[str, Any] = {}

    def on_success(context: Any) -> None:
        ti = context["ti"]
        seen["after"] = (ti.duration, ti.duration == (ti.end_date - ti.start_date).total_seconds())

    with DAG("ti_api_run", start_date=START, schedule=None) as dag:

        @task(on_success_callback=on_success)
        def look(ti=None, dag_run=None) -> None:
            seen["same_run"] = ti.dag_run is dag_run and ti.get_dagrun() is dag_run
            seen["run_id"] = ti.dag_run.run_id
            seen["while_running"] = (ti.duration, ti.pid)

        look()

    run = dag.test(logical_date=START)
    assert run.state == "success"
    assert seen["same_run"] is True and seen["run_id"] == run.run_id
    assert seen["while_running"] == (None, os.getpid())
    duration, exact = seen["after"]
    assert duration is not None and duration >= 0 and exact


def test_previous_dagrun_and_previous_ti_are_those_of_the_latest_earlier_logical_date(
    sqlite_metastore,
):
    seen: list[dict[str, Any]] = []
    with DAG("ti_api_previous", start_date=START, schedule=None) as dag:

        @task
        def step(ti=None, dag_run=None) -> None:
            if dag_run.conf.get("fail"):
                raise ValueError("failing on purpose")
            previous = ti.get_previous_dagrun()
            previous_ti = ti.get_previous_ti()
            seen.append(
                {
                    "run": previous.run_id if previous else None,
                    "ti": (previous_ti.task_id, previous_ti.state) if previous_ti else None,
                    "success_run": getattr(ti.get_previous_dagrun(state="success"), "run_id", None),
                    "success_ti": getattr(ti.get_previous_ti(state="success"), "run_id", None),
                }
            )

        step()

    runs = {}
    for day, conf in ((1, {}), (2, {"fail": True}), (3, {})):
        logical_date = datetime(2024, 1, day, tzinfo=UTC)
        runs[day] = dag.test(logical_date=logical_date, conf=conf)
    assert [runs[d].state for d in (1, 2, 3)] == ["success", "failed", "success"]
    assert seen == [
        {"run": None, "ti": None, "success_run": None, "success_ti": None},
        {
            "run": runs[2].run_id,
            "ti": ("step", "failed"),
            "success_run": runs[1].run_id,
            "success_ti": runs[1].run_id,
        },
    ]


def test_render_templates_renders_the_tasks_template_fields_again(sqlite_metastore):
    def render_again(ti=None) -> dict[str, Any]:
        ti.task.op_kwargs = {"day": "{{ ds }}", "task": "{{ task.task_id }}"}
        rendered = ti.render_templates()
        assert rendered is ti.task
        return dict(ti.task.op_kwargs)

    with DAG("ti_api_render", start_date=START, schedule=None) as dag:
        PythonOperator(task_id="again", python_callable=render_again)

    run = dag.test(logical_date=START)
    assert run.state == "success"
    from tradewind.metastore.xcoms import pull_xcom

    with sqlite_metastore.session() as session:
        value = pull_xcom(session, "ti_api_render", run.run_id, "again")
    assert value == {"day": "2024-01-01", "task": "again"}
