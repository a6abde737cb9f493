"""Dynamic task mapping: declaration, the spec's map info, and unmapping one index."""

from __future__ import annotations

from typing import Any

import pytest

from tradewind import DAG, TaskGroup, task
from tradewind.errors import DagDefinitionError, TaskFailure
from tradewind.operators import BashOperator, EmptyOperator
from tradewind.sdk.mapping import MappedOperator


def _no_upstream(arg: Any) -> Any:
    raise AssertionError("no upstream expected")


def test_partial_expand_creates_one_mapped_node_in_the_dag() -> None:
    with DAG("d", schedule=None, default_args={"retries": 2}) as dag:
        mapped = BashOperator.partial(task_id="echo", queue="q").expand(
            bash_command=["echo 1", "echo 2"]
        )
    assert isinstance(mapped, MappedOperator)
    assert dag.get_task("echo") is mapped
    assert mapped.is_mapped
    assert (mapped.retries, mapped.queue, mapped.pool) == (2, "q", "default_pool")
    assert mapped.map_info() == ("literal", 2, ())
    assert mapped.operator_name == "BashOperator"


def test_unmap_for_index_builds_a_real_operator_with_the_partial_arguments() -> None:
    with DAG("d", schedule=None, default_args={"retries": 2}):
        start = EmptyOperator(task_id="start")
        mapped = BashOperator.partial(task_id="echo", env={"A": "1"}).expand(
            bash_command=["echo 1", "echo 2"]
        )
        start >> mapped
    op = mapped.unmap_for_index(1, _no_upstream)
    assert isinstance(op, BashOperator)
    assert (op.task_id, op.bash_command, op.env, op.retries) == ("echo", "echo 2", {"A": "1"}, 2)
    assert op.upstream_task_ids == {"start"}
    assert op.map_index == 1
    assert op.dag is mapped.dag


def test_several_expanded_arguments_form_a_cartesian_product_last_varying_fastest() -> None:
    with DAG("d", schedule=None):
        mapped = BashOperator.partial(task_id="t").expand(
            bash_command=["a", "b"], env=[{"X": "1"}, {"X": "2"}, {"X": "3"}]
        )
    assert mapped.map_info() == ("literal", 6, ())
    combos = [
        (op.bash_command, op.env["X"])
        for op in (mapped.unmap_for_index(i, _no_upstream) for i in range(6))
    ]
    assert combos == [("a", "1"), ("a", "2"), ("a", "3"), ("b", "1"), ("b", "2"), ("b", "3")]
    with pytest.raises(TaskFailure, match="map_index 6"):
        mapped.unmap_for_index(6, _no_upstream)


def test_expanding_over_an_upstream_result_is_upstream_mapping(fake_ti) -> None:
    @task
    def make() -> list[str]:
        return ["echo x"]

    with DAG("d", schedule=None):
        made = make()
        mapped = BashOperator.partial(task_id="t").expand(
            bash_command=made, env=[{"A": "1"}, {"A": "2"}]
        )
    assert mapped.upstream_task_ids == {"make"}
    assert mapped.map_info() == ("upstream", 2, ("make",))
    fake_ti.xcoms = {("make", "return_value"): ["echo x", "echo y"]}
    op = mapped.unmap_for_index(3, lambda arg: arg.resolve({"ti": fake_ti}))
    assert (op.bash_command, op.env) == ("echo y", {"A": "2"})
    assert mapped.get_map_length(lambda arg: arg.resolve({"ti": fake_ti})) == 4


def test_expand_kwargs_maps_over_a_list_of_dicts() -> None:
    with DAG("d", schedule=None):
        mapped = BashOperator.partial(task_id="t").expand_kwargs(
            [{"bash_command": "echo 1"}, {"bash_command": "echo 2", "env": {"B": "2"}}]
        )
    assert mapped.map_info() == ("literal", 2, ())
    op = mapped.unmap_for_index(1, _no_upstream)
    assert (op.bash_command, op.env) == ("echo 2", {"B": "2"})


def test_expand_kwargs_over_an_xcomarg_is_upstream_mapping() -> None:
    with DAG("d", schedule=None):
        src = EmptyOperator(task_id="src")
        mapped = BashOperator.partial(task_id="t").expand_kwargs(src.output)
    assert mapped.map_info() == ("upstream", None, ("src",))
    op = mapped.unmap_for_index(0, lambda arg: [{"bash_command": "echo z"}])
    assert op.bash_command == "echo z"


def test_expand_refuses_unknown_arguments_and_non_lists() -> None:
    with DAG("d", schedule=None):
        with pytest.raises(DagDefinitionError, match="unexpected keyword argument 'nope'"):
            BashOperator.partial(task_id="a").expand(nope=[1])
        with pytest.raises(DagDefinitionError, match="must be a list"):
            BashOperator.partial(task_id="b").expand(bash_command="echo")
        with pytest.raises(DagDefinitionError, match="both partial"):
            BashOperator.partial(task_id="c", bash_command="x").expand(bash_command=["y"])
        with pytest.raises(DagDefinitionError, match="task_id"):
            BashOperator.partial().expand(bash_command=["y"])


def test_taskflow_expand_maps_function_arguments(fake_ti) -> None:
    @task
    def add(x: int, y: int) -> int:
        return x + y

    with DAG("d", schedule=None) as dag:
        result = add.partial(y=10).expand(x=[1, 2, 3])
    mapped: Any = dag.get_task("add")
    assert result.operator is mapped
    assert mapped.map_info() == ("literal", 3, ())
    assert mapped.operator_name == "@task"
    op: Any = mapped.unmap_for_index(2, _no_upstream)
    assert op.execute({"ti": fake_ti}) == 13


def test_taskflow_expand_over_an_upstream_task_and_results_flow_downstream(fake_ti) -> None:
    @task
    def numbers() -> list[int]:
        return [1, 2]

    @task
    def double(x: int) -> int:
        return 2 * x

    @task
    def total(values: list[int]) -> int:
        return sum(values)

    with DAG("d", schedule=None) as dag:
        total(double.expand(x=numbers()))
    mapped: Any = dag.get_task("double")
    assert mapped.map_info() == ("upstream", None, ("numbers",))
    assert dag.get_task("total").upstream_task_ids == {"double"}
    fake_ti.xcoms = {("numbers", "return_value"): [1, 2], ("double", "return_value"): [2, 4]}
    assert (
        mapped.unmap_for_index(1, lambda a: a.resolve({"ti": fake_ti})).execute({"ti": fake_ti})
        == 4
    )
    assert dag.get_task("total").execute({"ti": fake_ti}) == 6


def test_taskflow_expand_kwargs_and_refusals() -> None:
    @task
    def greet(name: str, punct: str = "!") -> str:
        return name + punct

    with DAG("d", schedule=None) as dag:
        greet.expand_kwargs([{"name": "a"}, {"name": "b", "punct": "?"}])
        with pytest.raises(DagDefinitionError, match="unexpected keyword"):
            greet.expand(nobody=[1])
        with pytest.raises(DagDefinitionError, match="must be a list"):
            greet.expand(name="solo")
    mapped: Any = dag.get_task("greet")
    assert mapped.unmap_for_index(1, _no_upstream).execute({"ti": None}) == "b?"


def test_mapping_over_an_empty_literal_list_has_length_zero() -> None:
    with DAG("d", schedule=None):
        mapped = BashOperator.partial(task_id="t").expand(bash_command=[])
    assert mapped.map_info() == ("literal", 0, ())


def test_a_mapped_task_inside_a_group_gets_the_group_prefix() -> None:
    with DAG("d", schedule=None) as dag:
        with TaskGroup("g"):
            mapped = BashOperator.partial(task_id="t").expand(bash_command=["x"])
    assert mapped.task_id == "g.t"
    assert dag.get_task("g.t") is mapped
    assert mapped.unmap_for_index(0, _no_upstream).task_id == "g.t"


def test_mapping_over_a_dict_maps_over_its_items() -> None:
    with DAG("d", schedule=None):
        mapped = BashOperator.partial(task_id="t", bash_command="env").expand(
            env={"a": "1", "b": "2"}
        )
    assert mapped.map_info() == ("literal", 2, ())
    assert mapped.unmap_for_index(1, _no_upstream).env == ("b", "2")


def test_xcomarg_map_transforms_each_item_before_mapping(fake_ti) -> None:
    @task
    def names() -> list[str]:
        return ["a", "b"]

    @task
    def shout(word: str) -> str:
        return word

    with DAG("d", schedule=None) as dag:
        shout.expand(word=names().map(str.upper).map(lambda w: w + "!"))
    mapped: Any = dag.get_task("shout")
    assert mapped.map_info() == ("upstream", None, ("names",))
    fake_ti.xcoms = {("names", "return_value"): ["a", "b"]}
    op = mapped.unmap_for_index(1, lambda arg: arg.resolve({"ti": fake_ti}))
    assert op.execute({"ti": fake_ti}) == "B!"
