"""TaskGroup and @task_group: prefixed ids, nesting, dependencies on whole groups."""

from __future__ import annotations

import pytest

from tradewind import DAG, TaskGroup, task, task_group
from tradewind.errors import DagDefinitionError, DuplicateTaskIdError
from tradewind.operators import EmptyOperator


def test_tasks_in_a_group_get_prefixed_ids() -> None:
    with DAG("d", schedule=None) as dag:
        with TaskGroup("extract", tooltip="tip") as group:
            EmptyOperator(task_id="a")
    assert dag.task_ids == ["extract.a"]
    assert dag.task_group_dict == {"extract": group}
    assert group.tooltip == "tip"
    assert dag.get_task("extract.a").task_group is group
    assert dag.get_task("extract.a").label == "a"


def test_prefix_group_id_false_keeps_plain_ids() -> None:
    with DAG("d", schedule=None) as dag:
        with TaskGroup("g", prefix_group_id=False):
            EmptyOperator(task_id="a")
    assert dag.task_ids == ["a"]


def test_nested_groups_prefix_every_level() -> None:
    with DAG("d", schedule=None) as dag:
        with TaskGroup("outer"):
            with TaskGroup("inner") as inner:
                EmptyOperator(task_id="a")
    assert dag.task_ids == ["outer.inner.a"]
    assert inner.group_id == "outer.inner"
    assert inner.parent_group is not None and inner.parent_group.group_id == "outer"


def test_dependencies_on_a_group_apply_to_its_roots_and_leaves() -> None:
    with DAG("d", schedule=None) as dag:
        start = EmptyOperator(task_id="start")
        with TaskGroup("g") as g:
            a = EmptyOperator(task_id="a")
            b = EmptyOperator(task_id="b")
            c = EmptyOperator(task_id="c")
            a >> [b, c]
        end = EmptyOperator(task_id="end")
        start >> g >> end
    assert start.downstream_task_ids == {"g.a"}
    assert end.upstream_task_ids == {"g.b", "g.c"}
    assert [t.task_id for t in g.roots] == ["g.a"]
    assert sorted(t.task_id for t in g.leaves) == ["g.b", "g.c"]
    assert dag.get_task("g.b").downstream_task_ids == {"end"}


def test_group_to_group_links_leaves_to_roots() -> None:
    with DAG("d", schedule=None):
        with TaskGroup("one") as one:
            EmptyOperator(task_id="x") >> EmptyOperator(task_id="y")
        with TaskGroup("two") as two:
            first = EmptyOperator(task_id="x")
        one >> two
    assert first.upstream_task_ids == {"one.y"}


def test_a_group_id_used_twice_is_refused() -> None:
    with DAG("d", schedule=None):
        TaskGroup("g")
        with pytest.raises(DuplicateTaskIdError, match="'g'"):
            TaskGroup("g")


def test_a_task_group_needs_a_dag() -> None:
    with pytest.raises(DagDefinitionError, match="inside a dag"):
        TaskGroup("lonely")


def test_task_group_decorator_builds_a_group_per_call_with_suffixes() -> None:
    @task
    def step(x: int) -> int:
        return x

    @task_group
    def process(x: int) -> None:
        """Process one value."""
        step(x)

    with DAG("d", schedule=None) as dag:
        first = process(1)
        process(2)
    assert dag.task_ids == ["process.step", "process__1.step"]
    assert isinstance(first, TaskGroup)
    assert first.tooltip == "Process one value."


def test_task_group_decorator_returns_the_functions_result_for_wiring() -> None:
    @task
    def make() -> int:
        return 1

    @task
    def use(x: int) -> int:
        return x

    @task_group(group_id="stage", default_args={"retries": 4})
    def stage():
        return make()

    with DAG("d", schedule=None) as dag:
        use(stage())
    assert dag.get_task("use").upstream_task_ids == {"stage.make"}
    assert dag.get_task("stage.make").retries == 4


def test_task_group_override_changes_the_group_id() -> None:
    @task_group
    def grp() -> None:
        EmptyOperator(task_id="a")

    with DAG("d", schedule=None) as dag:
        grp.override(group_id="custom")()
    assert dag.task_ids == ["custom.a"]
