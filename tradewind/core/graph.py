"""Pure graph helpers over ``{node: downstream ids}``: closures, cycles, topological order."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

from tradewind.errors import CycleError

Edges = Mapping[str, Iterable[str]]


def invert(edges: Edges) -> dict[str, set[str]]:
    """Turn ``{node: downstream}`` into ``{node: upstream}`` (every node keeps a key)."""
    out: dict[str, set[str]] = {node: set() for node in edges}
    for node, targets in edges.items():
        for target in targets:
            out.setdefault(target, set()).add(node)
    return out


def closure(edges: Edges, start: str) -> set[str]:
    """Every node reachable from ``start`` along ``edges`` (``start`` itself excluded)."""
    seen: set[str] = set()
    stack = list(edges.get(start, ()))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    seen.discard(start)
    return seen


def find_cycle(edges: Edges) -> list[str] | None:
    """A cycle as a path whose first and last node are the same, or None if the graph is acyclic."""
    white, grey, black = 0, 1, 2
    color: dict[str, int] = {}
    for start in sorted(edges):
        if color.get(start, white) != white:
            continue
        path: list[str] = [start]
        iters = [iter(sorted(edges.get(start, ())))]
        color[start] = grey
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                color[path.pop()] = black
                iters.pop()
                continue
            state = color.get(nxt, white)
            if state == grey:
                return path[path.index(nxt) :] + [nxt]
            if state == white:
                color[nxt] = grey
                path.append(nxt)
                iters.append(iter(sorted(edges.get(nxt, ()))))
    return None


def check_acyclic(edges: Edges, dag_id: str) -> None:
    """Raise :class:`CycleError` naming the cycle (``a >> b >> a``) if there is one."""
    cycle = find_cycle(edges)
    if cycle:
        raise CycleError(
            f"Cycle detected in DAG {dag_id!r}: {' >> '.join(cycle)}",
            hint="remove one of these dependencies",
        )


def topological_sort(nodes: Iterable[str], edges: Edges, dag_id: str = "") -> list[str]:
    """Nodes in dependency order (upstream first), stable in the order ``nodes`` are given."""
    order = list(nodes)
    indegree = {node: 0 for node in order}
    for node in order:
        for target in edges.get(node, ()):
            if target in indegree:
                indegree[target] += 1
    position = {node: i for i, node in enumerate(order)}
    ready = [(position[node], node) for node in order if indegree[node] == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        out.append(node)
        for target in edges.get(node, ()):
            if target in indegree:
                indegree[target] -= 1
                if indegree[target] == 0:
                    heapq.heappush(ready, (position[target], target))
    if len(out) != len(order):
        check_acyclic({n: [t for t in edges.get(n, ()) if t in indegree] for n in order}, dag_id)
    return out


def roots(nodes: Iterable[str], edges: Edges) -> list[str]:
    """Nodes with no upstream."""
    nodes = list(nodes)
    has_upstream = {t for n in nodes for t in edges.get(n, ())}
    return [n for n in nodes if n not in has_upstream]


def leaves(nodes: Iterable[str], edges: Edges) -> list[str]:
    """Nodes with no downstream."""
    return [n for n in nodes if not list(edges.get(n, ()))]
