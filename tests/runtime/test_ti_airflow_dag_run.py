"""Airflow 2's ``DagRun`` API on the run tasks and callbacks receive (detached from any
session: each look-up reads the default metastore), through ``dag.test()``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tradewind.decorators import task
from tradewind.metastore.xcoms import pull_xcom
from tradewind.operators.python import PythonOperator
from tradewind.sdk.dag import DAG

START = datetime(2024, 1, 1, tzinfo=UTC)


def _row(ti: Any) -> dict[str, Any]:
    return {
        "id": (ti.task_id, ti.map_index),
        "state": ti.state,
        "try_number": ti.try_number,
        "dates": ti.start_date is not None and ti.end_date is not None,
        "duration": ti.duration is not None and ti.duration >= 0,
        "hostname": bool(ti.hostname),
    }


def test_the_run_lists_its_task_instances_and_finds_one_by_task_id_and_map_index(
    sqlite_metastore,
):
    seen: dict[str, Any] = {}
    with DAG("run_api_tis", start_date=START, schedule=None) as dag:

        @task
        def first() -> int:
            return 1

        @task
        def mapped(x: int) -> int:
            return x

        @task
        def look(dag_run=None) -> None:
            seen["execution_date"] = dag_run.execution_date
            seen["all"] = sorted(
                (t.task_id, t.map_index, t.state) for t in dag_run.get_task_instances()
            )
            seen["done"] = [_row(t) for t in dag_run.get_task_instances(state="success")]
            seen["in_states"] = len(dag_run.get_task_instances(state=["running", None]))
            seen["first"] = _row(dag_run.get_task_instance("first"))
            seen["mapped_1"] = _row(dag_run.get_task_instance("mapped", map_index=1))
            seen["missing"] = dag_run.get_task_instance("mapped")

        PythonOperator(
            task_id="templated",
            python_callable=lambda when: when,
            op_args=["{{ dag_run.execution_date.isoformat() }}"],
        )
        first() >> mapped.expand(x=[1, 2]) >> look()

    run = dag.test(logical_date=START)
    assert run.state == "success"
    assert seen["execution_date"] == START
    assert seen["all"] == [
        ("first", -1, "success"),
        ("look", -1, "running"),
        ("mapped", 0, "success"),
        ("mapped", 1, "success"),
        ("templated", -1, "success"),
    ]
    done = {"state": "success", "try_number": 1, "dates": True, "duration": True, "hostname": True}
    assert seen["done"] == [
        {"id": ("first", -1), **done},
        {"id": ("mapped", 0), **done},
        {"id": ("mapped", 1), **done},
        {"id": ("templated", -1), **done},
    ]
    assert seen["in_states"] == 1
    assert seen["first"] == {"id": ("first", -1), **done}
    assert seen["mapped_1"] == {"id": ("mapped", 1), **done}
    assert seen["missing"] is None
    with sqlite_metastore.session() as session:
        rendered = pull_xcom(session, "run_api_tis", run.run_id, "templated")
    assert rendered == START.isoformat()


def test_the_previous_run_is_the_latest_earlier_one_in_the_state_asked(sqlite_metastore):
    seen: list[tuple[str | None, str | None]] = []
    with DAG("run_api_previous", start_date=START, schedule=None) as dag:

        @task
        def step(dag_run=None) -> None:
            previous = dag_run.get_previous_dagrun()
            succeeded = dag_run.get_previous_dagrun(state="success")
            seen.append((getattr(previous, "run_id", None), getattr(succeeded, "run_id", None)))
            if dag_run.conf.get("fail"):
                raise ValueError("failing on purpose")

        step()

    runs = [
        dag.test(logical_date=datetime(2024, 1, day, tzinfo=UTC), conf=conf)
        for day, conf in ((1, {}), (2, {"fail": True}), (3, {}))
    ]
    assert [r.state for r in runs] == ["success", "failed", "success"]
    assert seen == [
        (None, None),
        (runs[0].run_id, runs[0].run_id),
        (runs[1].run_id, runs[0].run_id),
    ]


def test_a_dag_callback_reads_the_failed_task_instances_of_its_run(sqlite_metastore):
    seen: dict[str, Any] = {}

    def on_failure(context: Any) -> None:
        run = context["dag_run"]
        seen["failed"] = [t.task_id for t in run.get_task_instances(state="failed")]

    with DAG(
        "run_api_callback", start_date=START, schedule=None, on_failure_callback=on_failure
    ) as dag:

        @task
        def fine() -> None:
            return None

        @task
        def broken() -> None:
            raise ValueError("failing on purpose")

        fine()
        broken()

    assert dag.test(logical_date=START).state == "failed"
    assert seen == {"failed": ["broken"]}
