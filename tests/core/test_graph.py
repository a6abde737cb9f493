"""Pure graph helpers: closures, cycle detection naming the cycle, topological order."""

from __future__ import annotations

import pytest

from tradewind.core.graph import (
    check_acyclic,
    closure,
    find_cycle,
    invert,
    leaves,
    roots,
    topological_sort,
)
from tradewind.errors import CycleError

DIAMOND = {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []}


def test_closure_follows_edges_transitively() -> None:
    assert closure(DIAMOND, "a") == {"b", "c", "d"}
    assert closure(DIAMOND, "d") == set()
    assert closure(invert(DIAMOND), "d") == {"a", "b", "c"}


def test_an_acyclic_graph_has_no_cycle() -> None:
    assert find_cycle(DIAMOND) is None
    check_acyclic(DIAMOND, "dag")


def test_a_cycle_is_reported_as_a_closed_path() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "x": ["a"]}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    with pytest.raises(CycleError, match=r"Cycle detected in DAG 'mine': a >> b >> c >> a"):
        check_acyclic(edges, "mine")


def test_a_self_loop_is_a_cycle() -> None:
    assert find_cycle({"a": ["a"]}) == ["a", "a"]


def test_topological_sort_puts_upstream_first_and_keeps_given_order() -> None:
    assert topological_sort(["a", "b", "c", "d"], DIAMOND) == ["a", "b", "c", "d"]
    assert topological_sort(["d", "c", "b", "a"], DIAMOND) == ["a", "c", "b", "d"]
    assert topological_sort(["z", "y"], {}) == ["z", "y"]


def test_topological_sort_of_a_cycle_names_it() -> None:
    with pytest.raises(CycleError, match="b >> c >> b"):
        topological_sort(["a", "b", "c"], {"a": ["b"], "b": ["c"], "c": ["b"]}, "d")


def test_a_long_chain_sorts_without_recursion_limits() -> None:
    n = 5000
    nodes = [f"t{i}" for i in range(n)]
    edges = {nodes[i]: [nodes[i + 1]] for i in range(n - 1)}
    assert topological_sort(list(reversed(nodes)), edges) == nodes
    assert find_cycle(edges) is None


def test_roots_and_leaves() -> None:
    assert roots(DIAMOND, DIAMOND) == ["a"]
    assert leaves(DIAMOND, DIAMOND) == ["d"]
