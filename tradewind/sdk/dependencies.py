"""Dependency operators (``>>``, ``<<``, ``set_upstream``...) and ``chain`` / ``cross_downstream``.

Anything that can sit on either side of ``>>`` (operators, mapped operators, XComArgs, task
groups, edge labels) is a :class:`DependencyMixin` exposing ``roots`` (what an upstream
connects to) and ``leaves`` (what connects to a downstream).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tradewind.errors import DagDefinitionError


class DependencyMixin:
    """Mixin giving ``>>``/``<<`` and ``set_upstream``/``set_downstream`` over roots/leaves."""

    #: edge modifiers (labels) collect neighbours instead of being graph nodes
    _is_edge_modifier = False

    @property
    def roots(self) -> list[Any]:
        raise NotImplementedError

    @property
    def leaves(self) -> list[Any]:
        raise NotImplementedError

    def set_upstream(self, other: DependencyMixin | Sequence[DependencyMixin]) -> None:
        """Make ``other`` (one item or a list) upstream of this."""
        for item in _as_items(other):
            link(item, self)

    def set_downstream(self, other: DependencyMixin | Sequence[DependencyMixin]) -> None:
        """Make ``other`` (one item or a list) downstream of this."""
        for item in _as_items(other):
            link(self, item)

    def __rshift__(self, other: Any) -> Any:
        self.set_downstream(other)
        return other

    def __lshift__(self, other: Any) -> Any:
        self.set_upstream(other)
        return other

    def __rrshift__(self, other: Any) -> Any:
        """``[a, b] >> self``."""
        self.set_upstream(other)
        return self

    def __rlshift__(self, other: Any) -> Any:
        """``[a, b] << self``."""
        self.set_downstream(other)
        return self


def _as_items(other: Any) -> list[DependencyMixin]:
    items = [other] if isinstance(other, DependencyMixin) else other
    if not isinstance(items, Iterable) or isinstance(items, str | bytes):
        raise DagDefinitionError(
            f"Cannot set a dependency on {other!r}",
            hint="dependencies link tasks, task groups, XComArgs or lists of them",
        )
    items = list(items)
    for item in items:
        if not isinstance(item, DependencyMixin):
            raise DagDefinitionError(
                f"Cannot set a dependency on {item!r} ({type(item).__name__})",
                hint="dependencies link tasks, task groups, XComArgs or lists of them",
            )
    return items


def link(up: DependencyMixin, down: DependencyMixin) -> None:
    """Connect every leaf of ``up`` to every root of ``down``."""
    if down._is_edge_modifier:
        down.add_upstream(up)  # type: ignore[attr-defined]
        return
    if up._is_edge_modifier:
        up.add_downstream(down)  # type: ignore[attr-defined]
        return
    for leaf in up.leaves:
        for root in down.roots:
            leaf._add_downstream_edge(root)


def chain(*tasks: DependencyMixin | Sequence[DependencyMixin]) -> None:
    """``chain(a, [b, c], [d, e], f)``: a >> [b, c]; b >> d; c >> e; [d, e] >> f.

    Two adjacent lists must have the same length and are linked pairwise, as in Airflow.
    """
    for up, down in zip(tasks, tasks[1:], strict=False):
        if isinstance(up, DependencyMixin):
            up.set_downstream(down)
            continue
        if isinstance(down, DependencyMixin):
            down.set_upstream(up)
            continue
        if not isinstance(up, Sequence) or not isinstance(down, Sequence):
            raise DagDefinitionError(
                f"Chain not supported between instances of {type(up).__name__} "
                f"and {type(down).__name__}"
            )
        if len(up) != len(down):
            raise DagDefinitionError(
                f"Chain not supported for different length Iterable. "
                f"Got {len(up)} and {len(down)}.",
                hint="adjacent lists in chain() are linked pairwise; use cross_downstream "
                "to link every item of one list to every item of the other",
            )
        for up_item, down_item in zip(up, down, strict=True):
            up_item.set_downstream(down_item)


def chain_linear(*elements: DependencyMixin | Sequence[DependencyMixin]) -> None:
    """Link each element to the next all-to-all (Airflow's ``chain_linear``)."""
    if len(elements) < 2:
        raise DagDefinitionError("chain_linear needs at least two elements")
    for up, down in zip(elements, elements[1:], strict=False):
        for item in _as_items(up):
            item.set_downstream(down)


def cross_downstream(
    from_tasks: Sequence[DependencyMixin], to_tasks: DependencyMixin | Sequence[DependencyMixin]
) -> None:
    """Make every task of ``to_tasks`` downstream of every task of ``from_tasks``."""
    for task in from_tasks:
        task.set_downstream(to_tasks)
