"""Setup and teardown tasks as Airflow 2.7+ writes them: ``as_setup()``, ``as_teardown()``,
``@setup`` / ``@teardown``, ``with teardown:`` blocks, and what the spec keeps of them."""

from __future__ import annotations

import pytest

import tradewind
from tradewind import DAG, TaskGroup, task
from tradewind.core.spec import DagSpec
from tradewind.decorators import setup, task_group, teardown
from tradewind.errors import DagDefinitionError
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator
from tradewind.parsing.serialize import serialize_dag


def _up(dag: DAG, task_id: str) -> list[str]:
    return sorted(dag.get_task(task_id).upstream_task_ids)


def test_as_setup_and_as_teardown_mark_an_operator_and_return_it() -> None:
    with DAG("d", schedule=None):
        s = EmptyOperator(task_id="s")
        t = EmptyOperator(task_id="t")
        assert s.as_setup() is s
        assert t.as_teardown(setups=s) is t
    assert (s.is_setup, s.is_teardown) == (True, False)
    assert (t.is_setup, t.is_teardown) == (False, True)
    assert t.trigger_rule == "all_done_setup_success"
    assert t.upstream_task_ids == {"s"}
    assert t.on_failure_fail_dagrun is False


def test_as_teardown_makes_its_setups_setup_tasks() -> None:
    with DAG("d", schedule=None):
        a, b = EmptyOperator(task_id="a"), EmptyOperator(task_id="b")
        t = EmptyOperator(task_id="t").as_teardown(setups=[a, b], on_failure_fail_dagrun=True)
    assert a.is_setup and b.is_setup
    assert t.upstream_task_ids == {"a", "b"}
    assert t.on_failure_fail_dagrun is True


def test_the_class_form_builds_and_marks_a_task() -> None:
    with DAG("d", schedule=None) as dag:
        s = BashOperator.as_setup(task_id="s", bash_command="echo s")
        t = BashOperator.as_teardown(task_id="t", bash_command="echo t", setups=s)
    assert dag.get_task("s") is s and s.is_setup
    assert t.is_teardown and t.upstream_task_ids == {"s"}


def test_a_task_cannot_be_both_setup_and_teardown() -> None:
    with DAG("d", schedule=None):
        s = EmptyOperator(task_id="s").as_setup()
        with pytest.raises(DagDefinitionError, match="already a setup"):
            s.as_teardown()


def test_on_failure_fail_dagrun_is_only_for_teardowns() -> None:
    with DAG("d", schedule=None):
        op = EmptyOperator(task_id="op")
    with pytest.raises(DagDefinitionError, match="not a teardown"):
        op.on_failure_fail_dagrun = True


def test_setup_and_teardown_are_importable_like_airflow_decorators() -> None:
    assert tradewind.setup is setup and tradewind.teardown is teardown


def test_taskflow_results_chain_into_a_teardown() -> None:
    @task
    def one() -> None: ...

    @task
    def two() -> None: ...

    @task
    def three() -> None: ...

    with DAG("d", schedule=None) as dag:
        t1, t2, t3 = one(), two(), three()
        t1 >> t2 >> t3.as_teardown(setups=t1)
    assert dag.get_task("one").is_setup
    assert dag.get_task("three").is_teardown
    assert _up(dag, "three") == ["one", "two"]


def test_setup_and_teardown_decorators_bare_and_with_arguments() -> None:
    @setup
    def create() -> str:
        return "cluster"

    @teardown(on_failure_fail_dagrun=True)
    def delete(cluster: str) -> None: ...

    @teardown
    @task.bash
    def delete_too() -> str:
        return "echo bye"

    with DAG("d", schedule=None) as dag:
        delete(create())
        delete_too()
    assert dag.get_task("create").is_setup
    assert dag.get_task("delete").is_teardown
    assert dag.get_task("delete").on_failure_fail_dagrun is True
    assert dag.get_task("delete").trigger_rule == "all_done_setup_success"
    assert dag.get_task("delete_too").is_teardown
    assert not dag.get_task("delete_too").on_failure_fail_dagrun


def test_a_task_group_cannot_be_a_setup() -> None:
    @task_group
    def group() -> None: ...

    with pytest.raises(DagDefinitionError, match="Task groups cannot be marked as setup"):
        setup(group)


def test_a_teardown_block_puts_the_tasks_made_in_it_between_setup_and_teardown() -> None:
    @setup
    def outer_setup() -> str:
        return "id"

    @teardown
    def outer_teardown(cluster_id: str) -> None: ...

    @task
    def work() -> None: ...

    with DAG("d", schedule=None) as dag:
        with outer_teardown(outer_setup()):
            first = work()
            first >> work()
    assert _up(dag, "work") == ["outer_setup"]
    assert _up(dag, "work__1") == ["work"]
    assert _up(dag, "outer_teardown") == ["outer_setup", "work__1"]


def test_a_setup_to_teardown_block_on_classic_operators() -> None:
    with DAG("d", schedule=None) as dag:
        s = EmptyOperator(task_id="s").as_setup()
        t = EmptyOperator(task_id="t").as_teardown()
        with s >> t:
            EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
    assert _up(dag, "a") == ["s"]
    assert _up(dag, "t") == ["b", "s"]


def test_only_setups_and_teardowns_open_a_block() -> None:
    with DAG("d", schedule=None):
        op = EmptyOperator(task_id="op")
        with pytest.raises(DagDefinitionError, match="Only setup/teardown"):
            with op:
                pass


def test_a_groups_leaf_teardown_gives_way_to_its_work_downstream_of_the_group() -> None:
    with DAG("d", schedule=None) as dag:
        with TaskGroup("g") as g:
            s = EmptyOperator(task_id="s").as_setup()
            w = EmptyOperator(task_id="w")
            t = EmptyOperator(task_id="t").as_teardown(setups=s)
            s >> w >> t
        g >> EmptyOperator(task_id="after")
    assert _up(dag, "after") == ["g.w"]


def test_the_spec_keeps_setup_teardown_flags_through_json() -> None:
    with DAG("d", schedule=None) as dag:
        s = EmptyOperator(task_id="s").as_setup()
        EmptyOperator(task_id="t").as_teardown(setups=s, on_failure_fail_dagrun=True)
    spec = DagSpec.from_json(serialize_dag(dag).to_json())
    assert spec.task("s").is_setup and not spec.task("s").is_teardown
    assert spec.task("t").is_teardown and spec.task("t").on_failure_fail_dagrun
    assert spec.task("t").trigger_rule == "all_done_setup_success"
