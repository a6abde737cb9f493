"""Airflow's ``Label``: ``branch >> Label("yes") >> task`` links branch to task."""

from __future__ import annotations

from typing import Any

from tradewind.sdk.dependencies import DependencyMixin, link


class EdgeModifier(DependencyMixin):
    """Sits between two sides of ``>>`` and links them; the label itself is only for display."""

    _is_edge_modifier = True

    def __init__(self, label: str | None = None) -> None:
        self.label = label
        self._upstream: list[DependencyMixin] = []
        self._downstream: list[DependencyMixin] = []

    def add_upstream(self, other: DependencyMixin) -> None:
        self._upstream.append(other)
        for down in self._downstream:
            link(other, down)

    def add_downstream(self, other: DependencyMixin) -> None:
        self._downstream.append(other)
        for up in self._upstream:
            link(up, other)

    @property
    def roots(self) -> list[Any]:
        return [r for d in self._downstream for r in d.roots]

    @property
    def leaves(self) -> list[Any]:
        return [leaf for u in self._upstream for leaf in u.leaves]

    def __repr__(self) -> str:
        return f"Label({self.label!r})"


def Label(label: str) -> EdgeModifier:  # noqa: N802 - Airflow's name
    """A labelled edge."""
    return EdgeModifier(label)


__all__ = ["EdgeModifier", "Label"]
