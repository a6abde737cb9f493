"""A task's params hold the DAG's params under its own, as Airflow merges them when the task is
created in the DAG; ``{{ params.x }}`` keeps working and the task's own values win."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tradewind import DAG, Param, TaskGroup, dag, task
from tradewind.metastore.xcoms import pull_xcom
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.python import PythonOperator

DAY = datetime(2024, 1, 1, tzinfo=UTC)


def test_task_params_include_the_dag_params_under_the_tasks_own() -> None:
    with DAG("p", schedule=None, params={"foo": "dag", "bar": Param(1, type="integer")}) as d:
        op = EmptyOperator(task_id="t", params={"bar": 2, "own": True})
    assert op.params.get("foo") == "dag"
    assert dict(op.params) == {"foo": "dag", "bar": 2, "own": True}
    assert op.params.get_param("bar").schema == {"type": "integer"}
    assert dict(d.params) == {"foo": "dag", "bar": 1}


def test_changing_a_task_param_leaves_the_dag_param_alone() -> None:
    with DAG("p", schedule=None, params={"foo": Param("dag", type="string")}) as d:
        one = EmptyOperator(task_id="one")
        two = EmptyOperator(task_id="two")
    one.params["foo"] = "changed"
    assert d.params["foo"] == "dag"
    assert two.params["foo"] == "dag"
    assert one.params.get_param("foo") is not d.params.get_param("foo")


def test_dag_default_args_params_reach_the_task_under_its_own() -> None:
    with DAG(
        "p", schedule=None, params={"a": 0, "b": 0}, default_args={"params": {"b": 1, "c": 1}}
    ):
        op = EmptyOperator(task_id="t", params={"c": 2})
    assert dict(op.params) == {"a": 0, "b": 1, "c": 2}


def test_a_task_given_the_dag_as_an_argument_gets_its_params() -> None:
    d = DAG("p", schedule=None, params={"foo": "dag"})
    assert EmptyOperator(task_id="t", dag=d).params["foo"] == "dag"


def test_taskflow_grouped_and_mapped_tasks_get_the_dag_params() -> None:
    with DAG("p", schedule=None, params={"foo": "dag"}) as d:

        @task(params={"own": 1})
        def show() -> None:
            return None

        show()
        with TaskGroup("g"):
            EmptyOperator(task_id="inner")
        PythonOperator.partial(task_id="mapped", python_callable=print).expand(op_args=[[1]])
    assert dict(d.get_task("show").params) == {"foo": "dag", "own": 1}
    assert d.get_task("g.inner").params["foo"] == "dag"
    mapped = d.get_task("mapped")
    assert mapped.params["foo"] == "dag"
    assert mapped.unmap_for_index(0, lambda arg: None).params["foo"] == "dag"


def test_dag_function_arguments_reach_the_task_params() -> None:
    @dag(schedule=None, start_date=DAY)
    def pipeline(size: int = 5) -> None:
        EmptyOperator(task_id="t")

    assert pipeline(size=7).get_task("t").params["size"] == 7


def test_tasks_read_dag_params_from_task_params_and_templates_at_run_time(
    sqlite_metastore,
) -> None:
    seen: dict[str, Any] = {}
    with DAG("run_params", schedule=None, start_date=DAY, params={"foo": "dag", "bar": 1}) as d:

        @task(params={"bar": 2})
        def read(task: Any = None, params: Any = None) -> None:
            seen["task.params"] = dict(task.params)
            seen["params"] = dict(params)

        read()
        BashOperator(
            task_id="render",
            bash_command="echo {{ params.foo }}-{{ params.bar }}",
            params={"bar": 3},
        )
    result = d.test(logical_date=DAY, conf={"foo": "conf"}, echo=None)
    assert result.state == "success"
    assert seen["task.params"] == {"foo": "dag", "bar": 2}
    assert seen["params"] == {"foo": "conf", "bar": 2}
    with sqlite_metastore.session() as session:
        assert pull_xcom(session, "run_params", result.run_id, "render") == "conf-3"
