"""Dependencies: >>, <<, lists, set_upstream/set_downstream, chain, cross_downstream, cycles."""

from __future__ import annotations

import pytest

from tradewind import DAG, Label, chain, chain_linear, cross_downstream
from tradewind.errors import CycleError, DagDefinitionError
from tradewind.operators.empty import EmptyOperator


def _tasks(dag: DAG, *ids: str) -> list[EmptyOperator]:
    with dag:
        return [EmptyOperator(task_id=i) for i in ids]


def test_rshift_sets_downstream_and_returns_the_right_side() -> None:
    dag = DAG("d", schedule=None)
    a, b, c = _tasks(dag, "a", "b", "c")
    assert (a >> b >> c) is c
    assert a.downstream_task_ids == {"b"}
    assert b.upstream_task_ids == {"a"} and b.downstream_task_ids == {"c"}


def test_lshift_sets_upstream() -> None:
    dag = DAG("d", schedule=None)
    a, b = _tasks(dag, "a", "b")
    b << a
    assert a.downstream_task_ids == {"b"}


def test_lists_on_either_side_link_every_item() -> None:
    dag = DAG("d", schedule=None)
    a, b, c, d = _tasks(dag, "a", "b", "c", "d")
    a >> [b, c]
    [b, c] >> d
    assert a.downstream_task_ids == {"b", "c"}
    assert d.upstream_task_ids == {"b", "c"}
    e, f = _tasks(dag, "e", "f")
    [e] << f
    assert f.downstream_task_ids == {"e"}


def test_set_upstream_and_set_downstream_accept_lists() -> None:
    dag = DAG("d", schedule=None)
    a, b, c = _tasks(dag, "a", "b", "c")
    a.set_downstream([b, c])
    c.set_upstream(b)
    assert a.downstream_task_ids == {"b", "c"}
    assert c.upstream_task_ids == {"a", "b"}


def test_chain_links_lists_of_equal_length_pairwise() -> None:
    dag = DAG("d", schedule=None)
    a, b, c, d, e, f = _tasks(dag, "a", "b", "c", "d", "e", "f")
    chain(a, [b, c], [d, e], f)
    assert a.downstream_task_ids == {"b", "c"}
    assert b.downstream_task_ids == {"d"}
    assert c.downstream_task_ids == {"e"}
    assert f.upstream_task_ids == {"d", "e"}


def test_chain_refuses_lists_of_different_length() -> None:
    dag = DAG("d", schedule=None)
    a, b, c = _tasks(dag, "a", "b", "c")
    with pytest.raises(DagDefinitionError, match="different length"):
        chain([a, b], [c])


def test_cross_downstream_links_every_pair() -> None:
    dag = DAG("d", schedule=None)
    a, b, c, d = _tasks(dag, "a", "b", "c", "d")
    cross_downstream([a, b], [c, d])
    assert a.downstream_task_ids == {"c", "d"}
    assert b.downstream_task_ids == {"c", "d"}


def test_chain_linear_links_neighbouring_elements_all_to_all() -> None:
    dag = DAG("d", schedule=None)
    a, b, c, d = _tasks(dag, "a", "b", "c", "d")
    chain_linear(a, [b, c], d)
    assert a.downstream_task_ids == {"b", "c"}
    assert d.upstream_task_ids == {"b", "c"}


def test_a_cycle_is_refused_with_a_message_naming_it() -> None:
    with pytest.raises(CycleError, match=r"'cyc': a >> b >> c >> a"):
        with DAG("cyc", schedule=None):
            a = EmptyOperator(task_id="a")
            b = EmptyOperator(task_id="b")
            c = EmptyOperator(task_id="c")
            a >> b >> c >> a


def test_a_cycle_outside_a_with_block_is_found_by_check_cycle() -> None:
    dag = DAG("cyc2", schedule=None)
    a, b = _tasks(dag, "a", "b")
    a >> b
    b >> a
    with pytest.raises(CycleError, match="a >> b >> a"):
        dag.check_cycle()


def test_a_task_depending_on_itself_is_a_cycle() -> None:
    dag = DAG("d", schedule=None)
    (a,) = _tasks(dag, "a")
    with pytest.raises(CycleError, match="a >> a"):
        a >> a


def test_tasks_of_two_dags_cannot_be_linked() -> None:
    (a,) = _tasks(DAG("one", schedule=None), "a")
    (b,) = _tasks(DAG("two", schedule=None), "b")
    with pytest.raises(DagDefinitionError, match="more than one DAG"):
        a >> b


def test_a_task_without_a_dag_joins_the_dag_of_its_neighbour() -> None:
    dag = DAG("d", schedule=None)
    (a,) = _tasks(dag, "a")
    loose = EmptyOperator(task_id="loose")
    a >> loose
    assert loose.dag is dag
    assert dag.get_task("loose") is loose


def test_a_dependency_on_something_that_is_not_a_task_is_refused() -> None:
    dag = DAG("d", schedule=None)
    (a,) = _tasks(dag, "a")
    with pytest.raises(DagDefinitionError, match="Cannot set a dependency"):
        a >> "b"


def test_a_label_between_two_tasks_links_them() -> None:
    dag = DAG("d", schedule=None)
    a, b, c = _tasks(dag, "a", "b", "c")
    a >> Label("yes") >> b
    c << Label("no") << a
    assert a.downstream_task_ids == {"b", "c"}


def test_flat_relatives_follow_the_graph_transitively() -> None:
    dag = DAG("d", schedule=None)
    a, b, c, d = _tasks(dag, "a", "b", "c", "d")
    a >> b >> c
    a >> d
    assert a.get_flat_relative_ids(upstream=False) == {"b", "c", "d"}
    assert c.get_flat_relative_ids(upstream=True) == {"a", "b"}
    assert [t.task_id for t in a.downstream_list] == ["b", "d"]
